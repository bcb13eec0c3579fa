// Fan-out agents in a whole run on the mock and on scripts: one instance per item, gathered back
// in item order. Every assertion is about outputs, statuses and counts, never about time.
#include "support/ensemble_text.hpp"
#include "support/eventually.hpp"
#include "support/run_lookup.hpp"
#include "support/slots.hpp"

#include <tutti/definition/config_loader.hpp>
#include <tutti/engine/engine.hpp>
#include <tutti/engine/run_json.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <mutex>

using namespace tutti::engine;
using nlohmann::json;
using tutti::test::all_slots_returned;
using tutti::test::ensemble_from;
using tutti::test::eventually;

using tutti::test::agent;
using tutti::test::default_config;

namespace {

// list answers `reply` (a TOML string); each runs once per item of it, answering "colour: ITEM";
// summary reads what each gathered.
std::string colours(const std::string& reply, const std::string& extra = "") {
  return R"(
name = "colours"
)" + extra +
         R"(
[[agents]]
name = "list"
provider = "mock"
mock = { reply = )" +
         reply + R"( }
[[agents]]
name = "each"
provider = "mock"
depends_on = ["list"]
fan_out = true
prompt = "colour: {agents.list}"
mock = { reply = "{prompt}", latency_ms = 20 }
[[agents]]
name = "summary"
provider = "mock"
depends_on = ["each"]
prompt = "{agents.each}"
mock = { reply = "{prompt}" }
)";
}

} // namespace

TEST_CASE("a fan-out agent runs an instance per item and gathers their outputs in item order for "
          "its dependants") {
  engine e{default_config()};
  std::mutex mutex;
  std::vector<std::string> started;
  auto r = e.run(ensemble_from(colours(R"('["red", "green", "blue"]')")), "go", {},
                 [&](const run_event& event) {
                   std::lock_guard lock{mutex};
                   if (event.kind == run_event_kind::started) {
                     started.push_back(event.agent);
                   }
                 });
  CHECK(r.status == run_status::completed);
  const auto& each = agent(r, "each");
  CHECK(each.status == agent_status::success);
  CHECK(each.fan_out == "list");
  REQUIRE(each.instances.size() == 3);
  const std::vector<std::string> names{"each[0]", "each[1]", "each[2]"};
  const std::vector<std::string> replies{"colour: red", "colour: green", "colour: blue"};
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(each.instances[i].name == names[i]);
    CHECK(each.instances[i].status == agent_status::success);
    CHECK(each.instances[i].response == replies[i]);
    CHECK(each.instances[i].attempts == 1);
  }
  CHECK(json::parse(each.response) == json(replies));
  CHECK(json::parse(agent(r, "summary").response) == json(replies));
  CHECK(each.attempts == 3);
  CHECK(each.started_ms.has_value());
  CHECK(e.mock_statistics().calls == 5);
  std::lock_guard lock{mutex};
  for (const auto& name : names) {
    CHECK(std::count(started.begin(), started.end(), name) == 1);
  }
  CHECK(std::count(started.begin(), started.end(), "each") == 1);
}

TEST_CASE("instances count against the run's cap like any agent") {
  engine e{default_config()};
  auto r = e.run(
      ensemble_from(colours(R"('["a", "b", "c", "d", "e", "f"]')", "max_concurrent_agents = 2")),
      "go");
  CHECK(r.status == run_status::completed);
  CHECK(agent(r, "each").instances.size() == 6);
  CHECK(e.mock_statistics().peak_in_flight == 2);
  CHECK(all_slots_returned(e));
}

TEST_CASE("an output that is not JSON fans out one item per non-empty line; {\"data\": [...]} as "
          "its array") {
  engine e{default_config()};
  auto lines = e.run(ensemble_from(colours(R"("red\n\ngreen\n")")), "go");
  CHECK(json::parse(agent(lines, "each").response) == json({"colour: red", "colour: green"}));
  auto data = e.run(ensemble_from(colours(R"('{"data": ["x", 7]}')")), "go");
  CHECK(json::parse(agent(data, "each").response) == json({"colour: x", "colour: 7"}));
}

TEST_CASE("no items: the fan-out agent succeeds at once with an empty array") {
  engine e{default_config()};
  auto r = e.run(ensemble_from(colours("'[]'")), "go");
  CHECK(r.status == run_status::completed);
  const auto& each = agent(r, "each");
  CHECK(each.status == agent_status::success);
  CHECK(each.response == "[]");
  CHECK(each.instances.empty());
  CHECK(agent(r, "summary").response == "[]");
  CHECK(e.mock_statistics().calls == 2);
}

TEST_CASE("JSON that holds no array fails the fan-out agent, saying why; its dependants skip") {
  engine e{default_config()};
  auto r = e.run(ensemble_from(colours(R"('{"colours": ["red"]}')")), "go");
  const auto& each = agent(r, "each");
  CHECK(each.status == agent_status::failed);
  CHECK(each.error_code == tutti::providers::call_errc::fan_out_failed);
  CHECK(each.error == "fan_out: cannot split the output of 'list' into items: it is JSON but "
                      "neither an array nor {\"data\": [...]}");
  CHECK(agent(r, "summary").status == agent_status::skipped);
  CHECK(r.status == run_status::partial);
}

TEST_CASE("a fan-out agent whose dependency failed has no items and is skipped, saying so") {
  engine e{default_config()};
  auto r = e.run(ensemble_from(R"(
name = "e"
[[agents]]
name = "list"
provider = "mock"
mock = { fail = "model exploded" }
[[agents]]
name = "each"
provider = "mock"
depends_on = ["list"]
on_dependency_failure = "run"
fan_out = true
)"),
                 "go");
  const auto& each = agent(r, "each");
  CHECK(each.status == agent_status::skipped);
  CHECK(each.error == "fan_out: dependency 'list' failed, so there are no items to run on");
  CHECK(each.instances.empty());
}

TEST_CASE("a fan-out's instances are in its JSON under it, and read back the same") {
  engine e{default_config()};
  auto r = e.run(ensemble_from(colours(R"('["red", "green"]')")), "go");
  const auto document = json::parse(to_json(r));
  const auto& each = document.at("agents").at("each");
  CHECK(each.at("fan_out") == "list");
  REQUIRE(each.at("instances").size() == 2);
  CHECK(each.at("instances")[1].at("name") == "each[1]");
  CHECK(each.at("instances")[1].at("response") == "colour: green");
  CHECK(each.at("instances")[1].at("status") == "success");
  CHECK_FALSE(document.at("agents").at("list").contains("instances"));
  auto back = run_result_from_json(to_json(r));
  REQUIRE(back.has_value());
  CHECK(json::parse(to_json(*back)).at("agents") == document.at("agents"));
}

TEST_CASE("a cancelled run ends the instances under way and keeps those that finished") {
  engine e{default_config()};
  std::atomic<int> started{0}; // instances the run has seen start, not only the mock
  auto handle = e.start(ensemble_from(R"(
name = "e"
[[agents]]
name = "list"
provider = "mock"
mock = { reply = '["a", "b"]' }
[[agents]]
name = "each"
provider = "mock"
depends_on = ["list"]
fan_out = true
mock = { latency_ms = 60000 }
)"),
                        "go", {}, [&](const run_event& event) {
                          if (event.kind == run_event_kind::started && event.agent != "list" &&
                              event.agent != "each") {
                            ++started;
                          }
                        });
  CHECK(eventually([&] { return started == 2; }));
  handle.cancel();
  const auto& r = handle.wait();
  CHECK(r.status == run_status::cancelled);
  const auto& each = agent(r, "each");
  CHECK(each.status == agent_status::failed);
  REQUIRE(each.instances.size() == 2);
  for (const auto& instance : each.instances) {
    CHECK(instance.status == agent_status::failed);
    CHECK(instance.error == "run cancelled");
  }
  CHECK(eventually([&] { return e.mock_statistics().in_flight == 0; }));
  CHECK(all_slots_returned(e));
}

TEST_CASE("a fan-out of hundreds of items runs each once, and no instance carries others") {
  engine e{default_config()};
  std::string items = "[";
  for (int i = 0; i < 300; ++i) {
    items += (i == 0 ? "\"" : ", \"") + std::to_string(i) + "\"";
  }
  items += "]";
  auto r = e.run(ensemble_from(colours("'" + items + "'", "max_concurrent_agents = 8")), "go");
  CHECK(r.status == run_status::completed);
  const auto& each = agent(r, "each");
  REQUIRE(each.instances.size() == 300);
  CHECK(each.instances[299].response == "colour: 299");
  for (const auto& instance : each.instances) {
    CHECK(instance.instances.empty());
  }
  CHECK(e.mock_statistics().calls == 302);
}
