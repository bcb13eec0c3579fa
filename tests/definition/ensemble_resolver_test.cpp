// Agents that run ensembles (ensemble = "NAME", loop = { body = "NAME", ... }): reading the keys,
// finding the ensembles they name and refusing what cannot run, at load, naming file and line.
#include "support/diagnostics_match.hpp"
#include "support/temp_dir.hpp"

#include <tutti/definition/config_loader.hpp>
#include <tutti/definition/ensemble_parser.hpp>
#include <tutti/definition/ensemble_resolver.hpp>

#include <catch2/catch.hpp>

using namespace tutti::definition;
using tutti::test::has_problem;
using tutti::test::listing;
using tutti::test::temp_dir;

namespace {

config no_config() {
  return parse_config("", "", fixed_environment({})).value();
}

std::string one_agent(const std::string& name, const std::string& agent_keys) {
  return "name = \"" + name + "\"\n[[agents]]\nname = \"a\"\n" + agent_keys + "\n";
}

const std::string mock_agent = "provider = \"mock\"";

// Resolves `file` of `dir`, with ensembles found by name in the file's folder and in `dirs`.
outcome<resolved_ensemble> resolve_file(const temp_dir& dir, const std::string& file,
                                        std::vector<std::filesystem::path> dirs = {}) {
  static const auto config = no_config();
  auto e = load_ensemble(dir.path() / file);
  if (!e) {
    return e.problems();
  }
  ensemble_resolver resolver{config, std::move(dirs)};
  return resolver.resolve(*e);
}

} // namespace

TEST_CASE("an agent runs an ensemble found by name beside its file, by path, or in the search "
          "folders") {
  temp_dir dir;
  dir.write("e/inner.toml", one_agent("inner", mock_agent));
  dir.write("lib/far.toml", one_agent("far-away", mock_agent));
  dir.write("e/by-name.toml", one_agent("outer", "ensemble = \"inner\""));
  dir.write("e/by-path.toml", one_agent("outer", "ensemble = \"../lib/far.toml\""));
  dir.write("e/in-dirs.toml", one_agent("outer", "ensemble = \"far-away\""));

  auto by_name = resolve_file(dir, "e/by-name.toml");
  REQUIRE(by_name);
  const auto& agent = by_name->agents.front();
  REQUIRE(agent.nested);
  CHECK(agent.nested->body->name == "inner");
  CHECK_FALSE(agent.nested->is_loop);
  CHECK(agent.nested->max_iterations == 1);

  auto by_path = resolve_file(dir, "e/by-path.toml");
  REQUIRE(by_path);
  CHECK(by_path->agents.front().nested->body->name == "far-away");

  auto in_dirs = resolve_file(dir, "e/in-dirs.toml", {dir.path() / "lib"});
  REQUIRE(in_dirs);
  CHECK(in_dirs->agents.front().nested->body->name == "far-away");
}

TEST_CASE("an ensemble that is not found is an error at the agent's ensemble key") {
  temp_dir dir;
  dir.write("e/inner.toml", one_agent("inner", mock_agent));
  dir.write("e/outer.toml", one_agent("outer", "ensemble = \"iner\""));
  auto r = resolve_file(dir, "e/outer.toml");
  REQUIRE_FALSE(r);
  INFO(listing(r.problems()));
  CHECK(has_problem(r.problems(), definition_errc::not_found,
                    "outer.toml:4:1: agents.a.ensemble: no file and no ensemble named 'iner' (did "
                    "you mean 'inner'?)"));
}

TEST_CASE("ensembles that run each other are a load-time error naming the chain") {
  temp_dir dir;
  dir.write("e/one.toml", one_agent("one", "ensemble = \"two\""));
  dir.write("e/two.toml", one_agent("two", "loop = { body = \"three\", max_iterations = 2 }"));
  dir.write("e/three.toml", one_agent("three", "ensemble = \"one\""));
  auto r = resolve_file(dir, "e/one.toml");
  REQUIRE_FALSE(r);
  INFO(listing(r.problems()));
  CHECK(has_problem(r.problems(), definition_errc::dependency_cycle,
                    "three.toml:4:1: agents.a.ensemble: ensembles run each other: one (one.toml) "
                    "-> two (two.toml) -> three (three.toml) -> one"));

  dir.write("e/self.toml", one_agent("self", "ensemble = \"self\""));
  CHECK(has_problem(resolve_file(dir, "e/self.toml").problems(), definition_errc::dependency_cycle,
                    "self (self.toml) -> self"));
}

TEST_CASE("an ensemble run by several agents is read once and shared") {
  temp_dir dir;
  dir.write("e/inner.toml", one_agent("inner", mock_agent));
  dir.write("e/outer.toml", "name = \"outer\"\n"
                            "[[agents]]\nname = \"a\"\nensemble = \"inner\"\n"
                            "[[agents]]\nname = \"b\"\nensemble = \"inner\"\n");
  auto r = resolve_file(dir, "e/outer.toml");
  REQUIRE(r);
  CHECK(r->agents[0].nested->body == r->agents[1].nested->body);
}

TEST_CASE("problems in a nested ensemble name its own file") {
  temp_dir dir;
  dir.write("e/inner.toml", one_agent("inner", "profile = \"nope\""));
  dir.write("e/outer.toml", one_agent("outer", "ensemble = \"inner\""));
  auto r = resolve_file(dir, "e/outer.toml");
  REQUIRE_FALSE(r);
  CHECK(has_problem(r.problems(), definition_errc::unknown_profile,
                    "inner.toml:4:1: agents.a.profile: unknown profile 'nope'"));
}

TEST_CASE("a loop's condition and carried values name the body's agents or its output") {
  temp_dir dir;
  dir.write("e/body.toml", one_agent("body", mock_agent));
  dir.write("e/good.toml",
            one_agent("good", "loop = { body = \"body\", until = '${a.done} or ${output.ok}', "
                              "carry = [\"a\", \"${output.next}\"], max_iterations = 4 }"));
  auto good = resolve_file(dir, "e/good.toml");
  REQUIRE(good);
  const auto& loop = *good->agents.front().nested;
  CHECK(loop.is_loop);
  CHECK(loop.max_iterations == 4);
  REQUIRE(loop.until);
  REQUIRE(loop.carry.size() == 2);
  CHECK(loop.carry[0].first == "a");
  CHECK_FALSE(loop.carry_replaces_input);

  dir.write("e/bad.toml", one_agent("bad", "loop = { body = \"body\", until = '${b.done}', "
                                           "carry = [\"c\", \"${a} == 1\"] }"));
  auto bad = resolve_file(dir, "e/bad.toml");
  REQUIRE_FALSE(bad);
  INFO(listing(bad.problems()));
  CHECK(has_problem(bad.problems(), definition_errc::unknown_agent,
                    "bad.toml:4:1: agents.a.loop: until refers to 'b', which is not an agent of "
                    "ensemble 'body' (nor output, its final output)"));
  CHECK(has_problem(bad.problems(), definition_errc::unknown_agent,
                    "carry refers to 'c', which is not an agent"));
  CHECK(has_problem(bad.problems(), definition_errc::invalid_value,
                    "carry '${a} == 1' is a condition, not a value"));
}

TEST_CASE("a loop needs until or max_iterations, and its keys are checked") {
  auto problems = [](const std::string& loop) {
    return parse_ensemble(one_agent("x", "loop = " + loop), "x.toml").problems();
  };
  CHECK(has_problem(problems("{ body = \"b\" }"), definition_errc::missing_field,
                    "x.toml:4:8: agents.a.loop.until: a loop needs until = \"CONDITION\" or "
                    "max_iterations = N"));
  CHECK(has_problem(problems("{ body = \"b\", max_iterations = 0 }"), definition_errc::out_of_range,
                    "agents.a.loop.max_iterations"));
  CHECK(has_problem(problems("{ max_iterations = 2 }"), definition_errc::missing_field,
                    "agents.a.loop.body"));
  CHECK(has_problem(problems("{ body = \"b\", max_iterations = 2, untill = \"x\" }"),
                    definition_errc::unknown_key, "did you mean 'until'?"));
  CHECK(has_problem(problems("\"b\""), definition_errc::wrong_type, "agents.a.loop"));
}

TEST_CASE("an agent runs one thing: a model, a script, an ensemble or a loop") {
  auto problems = [](const std::string& keys) {
    return parse_ensemble(one_agent("x", keys), "x.toml").problems();
  };
  CHECK(has_problem(problems("ensemble = \"b\"\nscript = [\"ls\"]"),
                    definition_errc::conflicting_fields,
                    "an agent runs one thing: it has both script and ensemble"));
  CHECK(has_problem(problems("ensemble = \"b\"\nmodel = \"m\""),
                    definition_errc::conflicting_fields,
                    "agents.a.model: does not apply to an agent that runs an ensemble rather than "
                    "a model"));
  CHECK(has_problem(problems("loop = { body = \"b\", max_iterations = 2 }\nprovider = \"mock\""),
                    definition_errc::conflicting_fields, "does not apply to a loop agent"));
  CHECK(
      has_problem(problems("ensemble = \"\""), definition_errc::empty_field, "agents.a.ensemble"));
  CHECK(problems("ensemble = \"b\"\nnested_output = \"llm-orc\"").empty());
  CHECK(has_problem(problems("provider = \"mock\"\nnested_output = \"llm-orc\""),
                    definition_errc::conflicting_fields,
                    "agents.a.nested_output: applies only to agents that run an ensemble"));
  CHECK(has_problem(problems("ensemble = \"b\"\nnested_output = \"json\""),
                    definition_errc::invalid_value, "agents.a.nested_output"));
}

TEST_CASE("resolve() without a resolver refuses an agent that runs an ensemble, saying why") {
  auto e = parse_ensemble(one_agent("x", "ensemble = \"b\""), "x.toml");
  REQUIRE(e);
  auto r = resolve(*e, no_config());
  REQUIRE_FALSE(r);
  CHECK(has_problem(r.problems(), definition_errc::invalid_value,
                    "runs ensemble 'b', which only an ensemble read through an "
                    "ensemble_resolver can find"));
}
