// The shipped examples must keep working out of the box: every ensemble resolves against the
// built-in configuration on the mock backend, and the example configuration is valid.
#include "support/diagnostics_match.hpp"

#include <tutti/definition/config_loader.hpp>
#include <tutti/definition/ensemble_catalog.hpp>
#include <tutti/definition/ensemble_parser.hpp>
#include <tutti/definition/ensemble_resolver.hpp>
#include <tutti/definition/resolved_ensemble.hpp>
#include <tutti/definition/source_text.hpp>

#include <catch2/catch.hpp>

using namespace tutti::definition;
using tutti::test::listing;

namespace {

const std::filesystem::path source_dir{TUTTI_SOURCE_DIR};

resolved_ensemble example(const std::string& name) {
  auto c = parse_config("", "", fixed_environment({}));
  REQUIRE(c.has_value());
  auto e = load_ensemble(source_dir / "ensembles" / (name + ".toml"));
  INFO(listing(e.problems()));
  REQUIRE(e.has_value());
  ensemble_resolver resolver{*c, {source_dir / "ensembles"}};
  auto r = resolver.resolve(*e);
  INFO(listing(r.problems()));
  REQUIRE(r.has_value());
  return std::move(r).value();
}

} // namespace

TEST_CASE("every example ensemble runs on the mock backend (or the shell's programs) without a "
          "configuration") {
  auto files = ensemble_files({source_dir / "ensembles"});
  REQUIRE(files.size() >= 4);
  for (const auto& file : files) {
    auto r = example(file.stem().string());
    for_each_caller(r, [&](const resolved_agent& agent) {
      INFO(file.string() << ": " << agent.name);
      CHECK((agent.backend.provider == provider_kind::mock ||
             agent.backend.provider == provider_kind::process));
    });
  }
}

TEST_CASE("the examples cover a fan-out, a multi-level graph, local and remote, scale, and "
          "nested ensembles") {
  CHECK(example("code-review").phases == phase_plan{{0, 1, 2}, {3}});
  CHECK(example("research-pipeline").phases == phase_plan{{0, 1, 2}, {3}, {4, 5}, {6}});
  auto mixed = example("mixed-local-remote");
  CHECK(mixed.agents[0].backend.resource == resource_class::local_server);
  CHECK_FALSE(mixed.agents[2].backend.resource.has_value());
  auto fanout = example("brainstorm-fanout");
  CHECK(fanout.phases.at(0).size() >= 20);
  auto triage = example("bug-triage");
  CHECK(triage.agents[1].fan_out == 0u);
  CHECK(triage.agents[2].when != nullptr);
  CHECK_FALSE(triage.agents[0].script.empty());
  auto polish = example("polish");
  REQUIRE(polish.agents[1].nested);
  CHECK(polish.agents[1].nested->body->name == "polish-round");
  REQUIRE(polish.agents[2].nested);
  CHECK(polish.agents[2].nested->is_loop);
  CHECK(polish.agents[2].nested->body == polish.agents[1].nested->body);
}

TEST_CASE("the example configuration is valid") {
  auto text = read_source_text(source_dir / "tutti.example.toml");
  REQUIRE(text.has_value());
  auto c = parse_config(*text, "tutti.example.toml", fixed_environment({}));
  INFO(listing(c.problems()));
  REQUIRE(c.has_value());
  CHECK_FALSE(c->profiles.empty());
}
