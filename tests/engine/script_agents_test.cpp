// Script agents in a whole run: real processes, on the engine's own process group. Every
// assertion is about outputs, statuses and counts, never about time.
#include "support/diagnostics_match.hpp"
#include "support/run_lookup.hpp"
#include "support/temp_dir.hpp"

#include <tutti/definition/config_loader.hpp>
#include <tutti/definition/ensemble_parser.hpp>
#include <tutti/engine/engine.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <thread>

using namespace tutti::engine;
using tutti::test::listing;
using tutti::test::temp_dir;

using tutti::test::agent;

namespace {

tutti::definition::config config_of(const std::string& text = "") {
  auto c =
      tutti::definition::parse_config(text, "tutti.toml", tutti::definition::fixed_environment({}));
  INFO(listing(c.problems()));
  REQUIRE(c.has_value());
  return std::move(c).value();
}

// The ensemble written as `folder`/ensemble.toml, loaded from there as `tutti run` does.
tutti::definition::resolved_ensemble ensemble_in(const temp_dir& folder, const std::string& toml,
                                                 const tutti::definition::config& c) {
  const auto file = folder.write("ensemble.toml", toml);
  auto e = tutti::definition::load_ensemble(file);
  INFO(listing(e.problems()));
  REQUIRE(e.has_value());
  auto r = tutti::definition::resolve(*e, c);
  INFO(listing(r.problems()));
  REQUIRE(r.has_value());
  return std::move(r).value();
}

} // namespace

TEST_CASE("script agents run beside model agents: input on stdin, their output feeds "
          "dependants and conditions, and a failing one says why") {
  temp_dir folder;
  folder.write("tools/count.sh", "wc -w | tr -d ' '\n");
  const auto c = config_of();
  engine e{c};
  auto r = e.run(ensemble_in(folder, R"(
name = "words"
[[agents]]
name = "count"
script = ["sh", "tools/count.sh"]
[[agents]]
name = "judge"
provider = "mock"
depends_on = ["count"]
when = "${count} > 2"
[[agents]]
name = "summary"
script = ["cat"]
script_input = "json"
depends_on = ["count", "judge"]
[[agents]]
name = "broken"
script = ["sh", "-c", "echo oops >&2; exit 4"]
)",
                             c),
                 "one two three");
  const auto& count = agent(r, "count");
  CHECK(count.status == agent_status::success);
  CHECK(count.response == "3");
  CHECK(count.provider == "process");
  CHECK(count.group == "process");
  CHECK(agent(r, "judge").status == agent_status::success);

  const auto summary = nlohmann::json::parse(agent(r, "summary").response);
  CHECK(summary["agent"] == "summary");
  CHECK(summary["input"] == "one two three");
  CHECK(summary["dependencies"]["count"]["output"] == 3);
  CHECK(summary["dependencies"]["count"]["status"] == "success");
  CHECK(summary["dependencies"]["judge"]["output"] == "[judge] one two three\n\n## count\n3");

  const auto& broken = agent(r, "broken");
  CHECK(broken.status == agent_status::failed);
  CHECK(broken.error_code == tutti::providers::call_errc::script_failed);
  CHECK(broken.error == "sh exited with status 4: oops");
  CHECK(broken.attempts == 1);
  CHECK(r.status == run_status::partial);
  // A program uses no tokens: it is not an agent whose usage or cost went unreported.
  CHECK(totals_of(r).without_usage == 0);
  CHECK(totals_of(r).without_cost == 1); // judge, the mock, has no price
}

TEST_CASE("scripts share the process group: as many at once as cores, or as configured") {
  temp_dir folder;
  const std::string three = R"(
name = "three"
[[agents]]
name = "a"
script = ["sh", "-c", "sleep 0.05; echo a"]
[[agents]]
name = "b"
script = ["sh", "-c", "sleep 0.05; echo b"]
[[agents]]
name = "c"
script = ["sh", "-c", "sleep 0.05; echo c"]
)";
  auto group_of = [](const run_result& r) {
    auto g = std::find_if(r.resources.begin(), r.resources.end(),
                          [](const auto& s) { return s.id == "process"; });
    REQUIRE(g != r.resources.end());
    return *g;
  };
  {
    const auto c = config_of();
    engine e{c};
    auto r = e.run(ensemble_in(folder, three, c), "go");
    CHECK(r.status == run_status::completed);
    CHECK(group_of(r).limit == std::max<std::int64_t>(1, std::thread::hardware_concurrency()));
  }
  const auto c = config_of("[limits]\nmax_concurrent_llm_calls = 1\n[backends.process]\n"
                           "provider = \"process\"\nmax_concurrent = 1\n");
  engine e{c};
  auto r = e.run(ensemble_in(folder, three, c), "go");
  CHECK(r.status == run_status::completed);
  CHECK(group_of(r).limit == 1);
  CHECK(group_of(r).peak_active == 1);
  CHECK(agent(r, "c").response == "c");
  // Programs are not model calls: the caps on those never saw them.
  REQUIRE_FALSE(r.caps.empty());
  for (const auto& cap : r.caps) {
    INFO(cap.id);
    CHECK(cap.completed == 0);
  }
}

TEST_CASE("a fan-out whose instances partly fail is partial: the others keep their results, and "
          "each failure is reported in place") {
  temp_dir folder;
  folder.write("tools/shout.sh",
               "read x\nif [ \"$x\" = bad ]; then echo \"cannot take $x\" >&2; exit 3; fi\n"
               "echo \"got $x\"\n");
  const auto c = config_of();
  engine e{c};
  auto r = e.run(ensemble_in(folder, R"(
name = "partly"
[[agents]]
name = "list"
script = ["printf", "ok\nbad\nfine\n"]
[[agents]]
name = "each"
script = ["sh", "tools/shout.sh"]
depends_on = ["list"]
fan_out = "list"
[[agents]]
name = "seen"
script = ["cat"]
script_input = "json"
depends_on = ["each"]
[[agents]]
name = "item"
script = ["cat"]
script_input = "json"
depends_on = ["list"]
fan_out = true
[[agents]]
name = "judged"
script = ["cat"]
depends_on = ["each"]
when = "${each.0} == 'got ok' and ${each.1} == null and ${each} contains 'got fine'"
)",
                             c),
                 "go");
  CHECK(r.status == run_status::partial);
  CHECK(totals_of(r).partial == 1);
  const auto& each = agent(r, "each");
  CHECK(each.status == agent_status::partial);
  CHECK_FALSE(each.error_code.has_value());
  REQUIRE(each.instances.size() == 3);
  CHECK(each.instances[0].response == "got ok");
  CHECK(each.instances[1].status == agent_status::failed);
  CHECK(each.instances[1].error_code == tutti::providers::call_errc::script_failed);
  CHECK_THAT(each.instances[1].error, Catch::Contains("cannot take bad"));
  CHECK(each.instances[2].response == "got fine");
  CHECK(nlohmann::json::parse(each.response) == nlohmann::json({"got ok", nullptr, "got fine"}));
  CHECK_THAT(each.error, Catch::StartsWith("1 of 3 instances did not succeed: each[1] failed: "));
  // A dependant of a partial agent runs, and sees the gathered array with its null.
  const auto seen = nlohmann::json::parse(agent(r, "seen").response);
  CHECK(seen.at("dependencies").at("each").at("status") == "partial");
  CHECK(seen.at("dependencies").at("each").at("output") ==
        nlohmann::json({"got ok", nullptr, "got fine"}));
  // A condition reads a partial fan-out's array, nulls and all.
  CHECK(agent(r, "judged").status == agent_status::success);
  // An instance reading JSON sees its item in place of the output it was split from.
  const auto& item = agent(r, "item");
  REQUIRE(item.instances.size() == 3);
  CHECK(nlohmann::json::parse(item.instances[1].response)
            .at("dependencies")
            .at("list")
            .at("output") == "bad");
}

TEST_CASE("a fan-out whose instances print bytes that are not UTF-8 still ends, with them "
          "replaced in the gathered array") {
  temp_dir folder;
  const auto c = config_of();
  engine e{c};
  auto r = e.run(ensemble_in(folder, R"(
name = "bytes"
[[agents]]
name = "list"
script = ["printf", "a\nb\n"]
[[agents]]
name = "each"
script = ["printf", 'caf\351']
script_input = "json"
depends_on = ["list"]
fan_out = true
[[agents]]
name = "after"
script = ["cat"]
script_input = "json"
depends_on = ["each"]
)",
                             c),
                 "go");
  CHECK(r.status == run_status::completed);
  const auto gathered = nlohmann::json::parse(agent(r, "each").response);
  REQUIRE(gathered.size() == 2);
  CHECK(gathered[0] == "caf\xEF\xBF\xBD");
  CHECK(agent(r, "after").status == agent_status::success);
}
