// Agents that run ensembles, once (ensemble = "NAME") or in a loop, in whole runs on the mock.
// The nested runs share the parent's engine: its groups, its caps and its cancel.
#include "support/eventually.hpp"
#include "support/run_lookup.hpp"
#include "support/temp_dir.hpp"

#include <tutti/definition/ensemble_parser.hpp>
#include <tutti/definition/ensemble_resolver.hpp>
#include <tutti/engine/engine.hpp>
#include <tutti/engine/run_json.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <mutex>

using namespace tutti::engine;
using nlohmann::json;
using tutti::test::agent;
using tutti::test::default_config;
using tutti::test::eventually;
using tutti::test::temp_dir;

namespace {

// inner: `echo` answers "inner saw: " and its input; `last`, its final agent, repeats what echo
// said after "final: ".
const std::string inner = R"(
name = "inner"
[[agents]]
name = "echo"
provider = "mock"
mock = { reply = "inner saw: {prompt}" }
[[agents]]
name = "last"
provider = "mock"
depends_on = ["echo"]
prompt = "final: {agents.echo}"
mock = { reply = "{prompt}" }
)";

// `review` runs inner on draft's output; `after` reads what review gave.
const std::string outer = R"(
name = "outer"
[[agents]]
name = "draft"
provider = "mock"
mock = { reply = "a draft" }
[[agents]]
name = "review"
ensemble = "inner"
depends_on = ["draft"]
prompt = "{agents.draft}"
[[agents]]
name = "after"
provider = "mock"
depends_on = ["review"]
prompt = "after: {agents.review}"
mock = { reply = "{prompt}" }
)";

// `grow` appends " x" to what it is given; its loop carries its output into the next input.
const std::string grow = R"(
name = "grow"
[[agents]]
name = "grow"
provider = "mock"
prompt = "{input} x"
mock = { reply = "{prompt}" }
)";

std::string looping(const std::string& loop) {
  return R"(
name = "looping"
[[agents]]
name = "repeat"
loop = )" +
         loop + "\n";
}

// Writes the files into a folder and resolves the first, with the others found by name.
tutti::definition::resolved_ensemble
resolved(const temp_dir& dir, const std::vector<std::pair<std::string, std::string>>& files,
         const tutti::definition::config& config) {
  for (const auto& [name, text] : files) {
    dir.write(name, text);
  }
  auto e = tutti::definition::load_ensemble(dir.path() / files.front().first);
  REQUIRE(e);
  tutti::definition::ensemble_resolver resolver{config, {}};
  auto r = resolver.resolve(*e);
  INFO((r ? std::string{} : tutti::definition::to_string(r.problems().front())));
  REQUIRE(r);
  return std::move(r).value();
}

} // namespace

TEST_CASE("an agent that runs an ensemble gives its final output, and its run is nested in the "
          "result and the JSON") {
  temp_dir dir;
  const auto config = default_config();
  engine e{config};
  auto r = e.run(resolved(dir, {{"outer.toml", outer}, {"inner.toml", inner}}, config), "go");
  CHECK(r.status == run_status::completed);
  const auto& review = agent(r, "review");
  CHECK(review.status == agent_status::success);
  CHECK(review.response == "final: inner saw: a draft");
  CHECK(agent(r, "after").response == "after: final: inner saw: a draft");
  CHECK(review.ensemble == "inner");
  CHECK(review.provider.empty());
  REQUIRE(review.runs.size() == 1);
  const auto& nested = review.runs.front();
  CHECK(nested.id == r.id + "/review");
  CHECK(nested.status == run_status::completed);
  CHECK(nested.output == review.response);
  REQUIRE(nested.agents.size() == 2);
  CHECK(nested.agents[0].name == "echo");
  CHECK(nested.agents[0].response == "inner saw: a draft");
  CHECK(e.mock_statistics().calls == 4);

  const auto j = json::parse(to_json(r));
  const auto& in_json = j.at("agents").at("review");
  CHECK(in_json.at("ensemble") == "inner");
  CHECK(in_json.at("runs").at(0).at("agents").at(1).at("name") == "last");
  CHECK(in_json.at("runs").at(0).at("output") == "final: inner saw: a draft");
  auto back = run_result_from_json(to_json(r));
  REQUIRE(back);
  // Read back the same (the totals are sums of rounded numbers, so not compared).
  CHECK(json::parse(to_json(*back)).at("agents") == j.at("agents"));
}

TEST_CASE("a nested run's agents use the parent's groups: one mock group for the whole run") {
  temp_dir dir;
  const auto config = default_config();
  engine e{config};
  e.run(resolved(dir, {{"outer.toml", outer}, {"inner.toml", inner}}, config), "go");
  const auto stats = e.statistics();
  REQUIRE(stats.groups.size() == 1);
  CHECK(stats.groups.front().completed == 4);
}

TEST_CASE("a nested run's events reach the parent's listeners under AGENT/NAME") {
  temp_dir dir;
  const auto config = default_config();
  engine e{config};
  std::mutex mutex;
  std::vector<std::string> finished;
  e.run(resolved(dir, {{"outer.toml", outer}, {"inner.toml", inner}}, config), "go", {},
        [&](const run_event& event) {
          std::lock_guard lock{mutex};
          if (event.kind == run_event_kind::finished) {
            finished.push_back(event.agent);
          }
        });
  std::lock_guard lock{mutex};
  CHECK(std::count(finished.begin(), finished.end(), "review/echo") == 1);
  CHECK(std::count(finished.begin(), finished.end(), "review/last") == 1);
  CHECK(std::count(finished.begin(), finished.end(), "review") == 1);
}

TEST_CASE("a nested ensemble without a final output fails the agent with nested_failed, naming "
          "the agent inside") {
  temp_dir dir;
  const auto config = default_config();
  engine e{config};
  auto broken = inner;
  broken.replace(broken.find(R"(mock = { reply = "{prompt}" })"),
                 std::string{R"(mock = { reply = "{prompt}" })"}.size(),
                 R"(mock = { fail = "model exploded" })");
  auto r = e.run(resolved(dir, {{"outer.toml", outer}, {"inner.toml", broken}}, config), "go");
  const auto& review = agent(r, "review");
  CHECK(review.status == agent_status::failed);
  REQUIRE(review.error_code);
  CHECK(*review.error_code == tutti::providers::call_errc::nested_failed);
  CHECK(review.error.find("agent last failed") != std::string::npos);
  CHECK(review.error.find("model exploded") != std::string::npos);
  CHECK(agent(r, "after").status == agent_status::skipped);
  REQUIRE(review.runs.size() == 1);
  CHECK(review.runs.front().status == run_status::partial);
}

TEST_CASE("a loop runs its body again, carrying an output in place of its input, until its "
          "condition holds") {
  temp_dir dir;
  const auto config = default_config();
  engine e{config};
  auto r = e.run(resolved(dir,
                          {{"looping.toml", looping(R"({ body = "grow", carry = "${grow}", )"
                                                    R"(until = 'output(grow) contains "x x x"', )"
                                                    R"(max_iterations = 10 })")},
                           {"grow.toml", grow}},
                          config),
                 "start");
  const auto& loop = agent(r, "repeat");
  CHECK(loop.status == agent_status::success);
  CHECK(loop.response == "start x x x");
  REQUIRE(loop.runs.size() == 3);
  CHECK(loop.runs[0].output == "start x");
  CHECK(loop.runs[1].output == "start x x");
  CHECK(loop.runs[2].id == r.id + "/repeat/3");
  CHECK(loop.attempts == 3);
}

TEST_CASE("a loop whose condition never holds stops at max_iterations with the last output") {
  temp_dir dir;
  const auto config = default_config();
  engine e{config};
  auto r = e.run(
      resolved(dir,
               {{"looping.toml", looping(R"({ body = "grow", carry = "${output}", )"
                                         R"(until = '${grow} == "never"', max_iterations = 2 })")},
                {"grow.toml", grow}},
               config),
      "start");
  const auto& loop = agent(r, "repeat");
  CHECK(loop.status == agent_status::success);
  CHECK(loop.runs.size() == 2);
  CHECK(loop.response == "start x x");
}

TEST_CASE("a loop's carried list follows the loop's own input under each name") {
  temp_dir dir;
  const auto config = default_config();
  engine e{config};
  auto r = e.run(resolved(dir,
                          {{"looping.toml",
                            looping(R"({ body = "grow", carry = ["grow"], max_iterations = 2 })")},
                           {"grow.toml", grow}},
                          config),
                 "start");
  const auto& loop = agent(r, "repeat");
  REQUIRE(loop.runs.size() == 2);
  // The second iteration was given "start" and, under grow's name, "start x".
  const auto& second = loop.runs[1].output;
  CHECK(second.rfind("start", 0) == 0);
  CHECK(second.find("grow") != std::string::npos);
  CHECK(second.find("start x") != std::string::npos);
  CHECK(second.size() > std::string{"start x x"}.size());
}

TEST_CASE("cancelling a run ends its nested runs, and the agent running one is cut short with "
          "what its nested run did") {
  temp_dir dir;
  const auto config = default_config();
  engine e{config};
  auto slow = inner;
  slow.replace(slow.find(R"(mock = { reply = "inner saw: {prompt}" })"),
               std::string{R"(mock = { reply = "inner saw: {prompt}" })"}.size(),
               R"(mock = { reply = "x", latency_ms = 600000 })");
  std::atomic<bool> nested_started{false};
  auto handle =
      e.start(resolved(dir, {{"outer.toml", outer}, {"inner.toml", slow}}, config), "go", {},
              [&](const run_event& event) {
                if (event.kind == run_event_kind::started && event.agent == "review/echo") {
                  nested_started = true;
                }
              });
  REQUIRE(eventually([&] { return nested_started.load(); }));
  handle.cancel();
  const auto& r = handle.wait();
  CHECK(r.status == run_status::cancelled);
  CHECK(agent(r, "review").status == agent_status::failed);
  CHECK(agent(r, "review").error == "run cancelled");
  // What the nested run had done is kept: it was cancelled too, and its result awaited.
  REQUIRE(agent(r, "review").runs.size() == 1);
  const auto& nested = agent(r, "review").runs.front();
  CHECK(nested.status == run_status::cancelled);
  REQUIRE(nested.agents.size() == 2);
  CHECK(nested.agents[0].status == agent_status::failed);
  CHECK(nested.agents[0].error == "run cancelled");
  CHECK(nested.agents[1].status == agent_status::skipped);
  REQUIRE(eventually([&] { return e.statistics().active == 0; }));
}

TEST_CASE("with nested_output = \"llm-orc\" an agent gives llm-orc's JSON of the nested result") {
  temp_dir dir;
  const auto config = default_config();
  engine e{config};
  auto as_llm_orc = outer;
  as_llm_orc.replace(as_llm_orc.find("ensemble = \"inner\""),
                     std::string{"ensemble = \"inner\""}.size(),
                     "ensemble = \"inner\"\nnested_output = \"llm-orc\"");
  auto r = e.run(resolved(dir, {{"outer.toml", as_llm_orc}, {"inner.toml", inner}}, config), "go");
  const auto& review = agent(r, "review");
  REQUIRE(review.status == agent_status::success);
  const auto j = json::parse(review.response);
  CHECK(j.at("ensemble") == "inner");
  CHECK(j.at("status") == "completed");
  CHECK(j.at("input") == json{{"data", "a draft"}});
  CHECK(j.at("results").at("echo") ==
        json{{"response", "inner saw: a draft"}, {"status", "success"}});
  CHECK(j.at("deliverable") == "final: inner saw: a draft");
}

TEST_CASE("an llm-orc loop reads its body's deliverable as {\"value\": ...} and answers "
          "{output, iterations, terminated}") {
  temp_dir dir;
  const auto config = default_config();
  engine e{config};
  auto r = e.run(resolved(dir,
                          {{"looping.toml",
                            looping(R"({ body = "grow", until = '${output.value} == "start x x"', )"
                                    R"(carry = "${output.value}", max_iterations = 5 })"
                                    "\nnested_output = \"llm-orc\"")},
                           {"grow.toml", grow}},
                          config),
                 "start");
  const auto& loop = agent(r, "repeat");
  REQUIRE(loop.status == agent_status::success);
  CHECK(json::parse(loop.response) ==
        json{{"output", {{"value", "start x x"}}}, {"iterations", 2}, {"terminated", "until"}});
  CHECK(loop.runs.size() == 2);
}

TEST_CASE("a final agent that a condition skipped is no part of a nested run's output") {
  temp_dir dir;
  const auto config = default_config();
  engine e{config};
  const std::string branches = R"(
name = "branches"
[[agents]]
name = "check"
provider = "mock"
mock = { reply = '{"done": true}' }
[[agents]]
name = "fix"
provider = "mock"
depends_on = ["check"]
when = "not ${check.done}"
mock = { reply = "fixed" }
[[agents]]
name = "report"
provider = "mock"
depends_on = ["check"]
when = "${check.done}"
mock = { reply = "all done" }
)";
  auto r =
      e.run(resolved(dir,
                     {{"looping.toml", looping(R"({ body = "branches", max_iterations = 1 })")},
                      {"branches.toml", branches}},
                     config),
            "go");
  const auto& loop = agent(r, "repeat");
  CHECK(loop.status == agent_status::success);
  CHECK(loop.response == "all done");
}

TEST_CASE("a loop cut short keeps its iterations, and its attempts count them") {
  temp_dir dir;
  const auto config = default_config();
  engine e{config};
  // The first iteration answers at once; the second, given "again", sleeps until cancelled.
  const std::string stalls = R"(
name = "stalls"
[[agents]]
name = "step"
script = ["sh", "-c", "read x; if [ \"$x\" = again ]; then sleep 600; fi; echo again"]
)";
  std::atomic<int> steps{0};
  auto handle =
      e.start(resolved(dir,
                       {{"looping.toml",
                         looping(R"({ body = "stalls", carry = "${step}", max_iterations = 5 })")},
                        {"stalls.toml", stalls}},
                       config),
              "start", {}, [&](const run_event& event) {
                if (event.kind == run_event_kind::started && event.agent == "repeat/step") {
                  ++steps;
                }
              });
  REQUIRE(eventually([&] { return steps.load() == 2; }));
  handle.cancel();
  const auto& loop = agent(handle.wait(), "repeat");
  CHECK(loop.status == agent_status::failed);
  REQUIRE(loop.runs.size() == 2);
  CHECK(loop.runs[0].status == run_status::completed);
  CHECK(loop.runs[1].status == run_status::cancelled);
  CHECK(loop.attempts == 2);
}
