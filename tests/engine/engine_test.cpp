// The engine on the mock backend. Latencies are real timers, but every assertion is about
// order, overlap and counts, never about how fast something was.
#include "support/ensemble_text.hpp"
#include "support/eventually.hpp"
#include "support/run_lookup.hpp"
#include "support/slots.hpp"

#include <tutti/definition/config_loader.hpp>
#include <tutti/engine/actors.hpp>
#include <tutti/engine/engine.hpp>

#include <catch2/catch.hpp>

#include <mutex>
#include <thread>

using tutti::test::eventually;
using namespace tutti::engine;
using tutti::definition::scheduling_policy;
using tutti::test::all_slots_returned;
using tutti::test::ensemble_from;

using tutti::test::agent;
using tutti::test::default_config;

namespace {

// An ensemble of `n` independent mock agents with the given latency.
std::string fan_out(int n, int latency_ms, const std::string& extra = "") {
  std::string text = "name = \"fan\"\n" + extra + "\n";
  for (int i = 0; i < n; ++i) {
    text += "[[agents]]\nname = \"a" + std::to_string(i) +
            "\"\nprovider = \"mock\"\nmock = { latency_ms = " + std::to_string(latency_ms) + " }\n";
  }
  return text;
}

} // namespace

TEST_CASE("all agents of a fan-out run at once") {
  engine e{default_config()};
  auto r = e.run(ensemble_from(fan_out(20, 300, "max_concurrent_agents = 50")), "go");
  CHECK(r.status == run_status::completed);
  CHECK(e.mock_statistics().peak_in_flight == 20);
  CHECK(e.mock_statistics().calls == 20);
  for (const auto& a : r.agents) {
    CHECK(a.status == agent_status::success);
    CHECK(a.started_ms.has_value());
    CHECK(a.attempts == 1);
  }
}

TEST_CASE("the cap on agents in flight is reached and never exceeded") {
  engine e{default_config()};
  auto r = e.run(ensemble_from(fan_out(12, 50, "max_concurrent_agents = 3")), "go");
  CHECK(r.status == run_status::completed);
  CHECK(r.max_concurrent_agents == 3);
  CHECK(e.mock_statistics().peak_in_flight == 3);

  engine overridden{default_config()};
  run_options options;
  options.max_concurrent_agents = 5;
  overridden.run(ensemble_from(fan_out(12, 50, "max_concurrent_agents = 3")), "go", options);
  CHECK(overridden.mock_statistics().peak_in_flight == 5);
}

TEST_CASE("sequential mode never overlaps and keeps phase and definition order") {
  engine e{default_config()};
  run_options options;
  options.mode = run_mode::sequential;
  auto r = e.run(ensemble_from(fan_out(5, 20, "priority = 5")), "go", options);
  CHECK(r.mode == run_mode::sequential);
  CHECK(e.mock_statistics().peak_in_flight == 1);
  for (std::size_t i = 1; i < r.agents.size(); ++i) {
    CHECK(*r.agents[i].started_ms >= *r.agents[i - 1].finished_ms);
  }
}

TEST_CASE("phases never overlap in phased mode") {
  engine e{default_config()};
  auto r = e.run(ensemble_from(R"(
name = "levels"
[[agents]]
name = "a"
provider = "mock"
mock = { latency_ms = 30 }
[[agents]]
name = "b"
provider = "mock"
mock = { latency_ms = 80 }
[[agents]]
name = "c"
provider = "mock"
depends_on = ["a"]
mock = { latency_ms = 10 }
[[agents]]
name = "d"
provider = "mock"
depends_on = ["c", "b"]
)"),
                 "go");
  REQUIRE(r.status == run_status::completed);
  CHECK(*agent(r, "c").started_ms >= *agent(r, "b").finished_ms);
  CHECK(*agent(r, "d").started_ms >= *agent(r, "c").finished_ms);
  CHECK(r.phases == std::vector<std::vector<std::string>>{{"a", "b"}, {"c"}, {"d"}});
}

TEST_CASE("eager scheduling overlaps phases where the graph allows") {
  const auto graph = R"(
name = "eager"
[[agents]]
name = "slow"
provider = "mock"
mock = { latency_ms = 400 }
[[agents]]
name = "fast"
provider = "mock"
mock = { latency_ms = 10 }
[[agents]]
name = "next"
provider = "mock"
depends_on = ["fast"]
mock = { latency_ms = 10 }
)";
  engine e{default_config()};
  run_options eager;
  eager.scheduling = scheduling_policy::eager;
  auto r = e.run(ensemble_from(graph), "go", eager);
  CHECK(r.scheduling == scheduling_policy::eager);
  CHECK(*agent(r, "next").finished_ms < *agent(r, "slow").finished_ms);

  auto phased = e.run(ensemble_from(graph), "go");
  CHECK(*agent(phased, "next").started_ms >= *agent(phased, "slow").finished_ms);
}

TEST_CASE("an agent's timeout cancels its call and frees its slot for the next agent") {
  engine e{default_config()};
  auto r = e.run(ensemble_from(R"(
name = "t"
max_concurrent_agents = 1
[[agents]]
name = "stuck"
provider = "mock"
timeout_seconds = 0.1
mock = { latency_ms = 60000 }
[[agents]]
name = "waiting"
provider = "mock"
mock = { latency_ms = 10 }
)"),
                 "go");
  CHECK(r.status == run_status::partial);
  const auto& stuck = agent(r, "stuck");
  CHECK(stuck.status == agent_status::timeout);
  CHECK(stuck.error == "no reply within the agent's timeout of 100 ms");
  CHECK(agent(r, "waiting").status == agent_status::success);
  CHECK(*agent(r, "waiting").started_ms >= *stuck.finished_ms);
  CHECK(eventually([&] { return e.mock_statistics().in_flight == 0; }));
  CHECK(e.mock_statistics().cancelled == 1);
  CHECK(all_slots_returned(e));
}

TEST_CASE("the ensemble deadline keeps finished results and ends the rest") {
  engine e{default_config()};
  auto r = e.run(ensemble_from(R"(
name = "d"
timeout_seconds = 0.3
[[agents]]
name = "quick"
provider = "mock"
mock = { latency_ms = 10 }
[[agents]]
name = "slow"
provider = "mock"
mock = { latency_ms = 60000 }
[[agents]]
name = "after"
provider = "mock"
depends_on = ["slow"]
)"),
                 "go");
  CHECK(r.status == run_status::timeout);
  CHECK(agent(r, "quick").status == agent_status::success);
  CHECK(agent(r, "quick").response == "[quick] go");
  CHECK(agent(r, "slow").status == agent_status::timeout);
  CHECK(agent(r, "slow").error == "ensemble deadline");
  CHECK(agent(r, "after").status == agent_status::skipped);
  CHECK(agent(r, "after").error == "ensemble deadline");
  CHECK_FALSE(agent(r, "after").started_ms.has_value());
  CHECK(eventually([&] { return e.mock_statistics().in_flight == 0; }));
  CHECK(all_slots_returned(e));
}

TEST_CASE("a failing agent does not stop its siblings, and its dependants skip or run") {
  engine e{default_config()};
  auto r = e.run(ensemble_from(R"(
name = "f"
[[agents]]
name = "broken"
provider = "mock"
mock = { fail = "model exploded" }
[[agents]]
name = "sibling"
provider = "mock"
[[agents]]
name = "skipper"
provider = "mock"
depends_on = ["broken"]
[[agents]]
name = "grandchild"
provider = "mock"
depends_on = ["skipper"]
[[agents]]
name = "runner"
provider = "mock"
depends_on = ["broken", "sibling"]
on_dependency_failure = "run"
)"),
                 "go");
  CHECK(r.status == run_status::partial);
  CHECK(agent(r, "broken").status == agent_status::failed);
  CHECK(agent(r, "broken").error == "model exploded");
  CHECK(agent(r, "sibling").status == agent_status::success);
  CHECK(agent(r, "skipper").status == agent_status::skipped);
  CHECK(agent(r, "skipper").error == "dependency 'broken' failed");
  CHECK(agent(r, "grandchild").error == "dependency 'skipper' was skipped");
  const auto& runner = agent(r, "runner");
  CHECK(runner.status == agent_status::success);
  CHECK(runner.response ==
        "[runner] go\n\n## broken\n(failed: model exploded)\n\n## sibling\n[sibling] go");
}

TEST_CASE("a condition decides from its dependencies' results; dependants of an agent it "
          "skips follow their on_dependency_failure") {
  engine e{default_config()};
  auto r = e.run(ensemble_from(R"(
name = "c"
[[agents]]
name = "classify"
provider = "mock"
mock = { reply = '{"label": "bug", "score": 0.9}' }
[[agents]]
name = "broken"
provider = "mock"
mock = { fail = "down" }
[[agents]]
name = "fix"
provider = "mock"
depends_on = ["classify"]
when = '${classify.label} == bug and ${classify.score} > 0.5'
[[agents]]
name = "praise"
provider = "mock"
depends_on = ["classify"]
when = "${classify.label} == feature"
[[agents]]
name = "after_praise"
provider = "mock"
depends_on = ["praise"]
[[agents]]
name = "report"
provider = "mock"
depends_on = ["praise", "fix"]
on_dependency_failure = "run"
[[agents]]
name = "fallback"
provider = "mock"
depends_on = ["broken"]
on_dependency_failure = "run"
when = "status(broken) == failed"
)"),
                 "go");
  CHECK(agent(r, "fix").status == agent_status::success);
  CHECK(agent(r, "praise").status == agent_status::skipped);
  CHECK(agent(r, "praise").error == "condition false: ${classify.label} == feature");
  CHECK_FALSE(agent(r, "praise").started_ms.has_value());
  CHECK(agent(r, "after_praise").status == agent_status::skipped);
  CHECK(agent(r, "after_praise").error == "dependency 'praise' was skipped");
  CHECK(agent(r, "report").status == agent_status::success);
  CHECK(agent(r, "fallback").status == agent_status::success);
  CHECK(e.mock_statistics().calls == 5); // classify, broken, fix, report, fallback
  // Not needed rather than failed: only broken makes the run partial.
  CHECK(agent(r, "praise").skipped_by_condition);
  CHECK(agent(r, "after_praise").skipped_by_condition);
  CHECK_FALSE(agent(r, "broken").skipped_by_condition);
  CHECK(totals_of(r).skipped_by_condition == 2);
  CHECK(r.status == run_status::partial);
}

TEST_CASE("a run whose only unsuccessful agents were skipped by conditions is completed") {
  engine e{default_config()};
  auto r = e.run(ensemble_from(R"(
name = "router"
[[agents]]
name = "classify"
provider = "mock"
mock = { reply = "question" }
[[agents]]
name = "answer"
provider = "mock"
depends_on = ["classify"]
when = "${classify} == question"
[[agents]]
name = "fix"
provider = "mock"
depends_on = ["classify"]
when = "${classify} == bug"
)"),
                 "go");
  CHECK(agent(r, "answer").status == agent_status::success);
  CHECK(agent(r, "fix").status == agent_status::skipped);
  CHECK(r.status == run_status::completed);
}

TEST_CASE("a run where every agent fails has status failed") {
  engine e{default_config()};
  auto r = e.run(ensemble_from("name = \"x\"\n[[agents]]\nname = \"a\"\nprovider = \"mock\"\n"
                               "mock = { fail = \"no\" }\n"),
                 "go");
  CHECK(r.status == run_status::failed);
}

TEST_CASE("prompts carry dependency outputs under headings, or through templates") {
  engine e{default_config()};
  auto r = e.run(ensemble_from(R"(
name = "p"
[[agents]]
name = "security"
provider = "mock"
system_prompt = "one two"
prompt = "Check {input}"
[[agents]]
name = "style"
provider = "mock"
mock = { reply = "style says {prompt}!" }
[[agents]]
name = "synthesis"
provider = "mock"
depends_on = ["security", "style"]
[[agents]]
name = "quote"
provider = "mock"
depends_on = ["security"]
prompt = "<{agents.security}> about {input}"
)"),
                 "add()");
  CHECK(agent(r, "security").response == "[security] Check add()");
  CHECK(agent(r, "style").response == "style says add()!");
  CHECK(agent(r, "synthesis").response ==
        "[synthesis] add()\n\n## security\n[security] Check add()\n\n## style\nstyle says add()!");
  CHECK(agent(r, "quote").response == "[quote] <[security] Check add()> about add()");
  CHECK(agent(r, "security").usage.input_tokens == 4);
  CHECK(agent(r, "security").usage.output_tokens == 3);
}

TEST_CASE("the mock's default reply keeps the first 200 characters of the prompt") {
  engine e{default_config()};
  std::string input(300, 'x');
  auto r =
      e.run(ensemble_from("name = \"x\"\n[[agents]]\nname = \"a\"\nprovider = \"mock\"\n"), input);
  CHECK(r.agents[0].response == "[a] " + std::string(200, 'x'));
}

TEST_CASE("with a cap of one, higher priorities start first") {
  engine e{default_config()};
  auto r = e.run(ensemble_from(R"(
name = "prio"
max_concurrent_agents = 1
[[agents]]
name = "low"
provider = "mock"
priority = 3
[[agents]]
name = "high"
provider = "mock"
priority = 8
[[agents]]
name = "mid"
provider = "mock"
)"),
                 "go");
  CHECK(*agent(r, "high").finished_ms <= *agent(r, "mid").started_ms);
  CHECK(*agent(r, "mid").finished_ms <= *agent(r, "low").started_ms);
}

TEST_CASE("a run reports every agent queued, started, its tokens and finished") {
  engine e{default_config()};
  std::mutex mutex;
  std::vector<run_event> events;
  auto r =
      e.run(ensemble_from(fan_out(3, 40)), "one two three four", {}, [&](const run_event& event) {
        std::lock_guard lock{mutex};
        events.push_back(event);
      });
  std::lock_guard lock{mutex};
  for (std::string name : {"a0", "a1", "a2"}) {
    std::vector<run_event_kind> kinds;
    std::string streamed;
    for (const auto& event : events) {
      if (event.agent != name) {
        continue;
      }
      if (event.kind == run_event_kind::token) {
        streamed += event.text;
      } else {
        kinds.push_back(event.kind);
      }
    }
    CHECK(kinds == std::vector<run_event_kind>{run_event_kind::queued, run_event_kind::started,
                                               run_event_kind::finished});
    CHECK(streamed == r.find(name)->response);
  }
}

TEST_CASE("a cancelled run ends at once with what it has") {
  engine e{default_config()};
  auto handle = e.start(ensemble_from(fan_out(4, 60000)), "go");
  CHECK(handle.wait_for(std::chrono::milliseconds{50}) == nullptr);
  handle.cancel();
  const auto& r = handle.wait();
  CHECK(r.status == run_status::cancelled);
  for (const auto& a : r.agents) {
    CHECK(a.status == agent_status::failed);
    CHECK(a.error == "run cancelled");
  }
  CHECK(eventually([&] { return e.mock_statistics().in_flight == 0; }));
  CHECK(all_slots_returned(e));
}

TEST_CASE("one engine runs several ensembles at the same time") {
  engine e{default_config()};
  std::vector<run_handle> handles;
  for (int i = 0; i < 4; ++i) {
    handles.push_back(e.start(ensemble_from(fan_out(5, 200)), "run " + std::to_string(i)));
  }
  for (int i = 0; i < 4; ++i) {
    const auto& r = handles[i].wait();
    CHECK(r.status == run_status::completed);
    CHECK(r.input == "run " + std::to_string(i));
  }
  CHECK(e.mock_statistics().peak_in_flight == 20);
}

TEST_CASE("destroying an engine ends the runs still going") {
  std::optional<run_handle> handle;
  {
    engine e{default_config()};
    handle = e.start(ensemble_from(fan_out(3, 60000)), "go");
  }
  CHECK(handle->wait().status == run_status::cancelled);
}

TEST_CASE("a cloud backend without its key fails, naming the variable to set") {
  engine_options no_keys;
  no_keys.environment = tutti::definition::fixed_environment({});
  engine e{default_config(), no_keys};
  auto r = e.run(ensemble_from("name = \"x\"\n[[agents]]\nname = \"a\"\nprovider = "
                               "\"anthropic\"\nmodel = \"claude\"\n"),
                 "go");
  CHECK(r.status == run_status::failed);
  CHECK(r.agents[0].error == "no API key for backend 'anthropic': set ANTHROPIC_API_KEY");
}

TEST_CASE("a registered provider answers the agents of its provider name") {
  class echo_provider final : public tutti::providers::provider {
   public:
    tutti::providers::cancel_call start(tutti::providers::completion_request request,
                                        tutti::providers::token_callback,
                                        tutti::providers::completion_callback done) override {
      tutti::providers::completion_result result;
      result.code = tutti::providers::call_errc::none;
      result.text = "echo " + request.model + ": " + request.prompt;
      done(std::move(result));
      return [] {};
    }
  };
  engine e{default_config()};
  e.register_provider("ollama", std::make_shared<echo_provider>());
  auto r = e.run(ensemble_from("name = \"x\"\n[[agents]]\nname = \"a\"\nprovider = "
                               "\"ollama\"\nmodel = \"llama3.2\"\n"),
                 "hi");
  CHECK(r.agents[0].response == "echo llama3.2: hi");
  CHECK(r.agents[0].group == "http://localhost:11434");
}

TEST_CASE("a program can spawn its own actors in the engine's actor system") {
  engine e{default_config()};
  auto& system = actor_system_of(e);
  auto doubler = system.spawn([]() -> caf::behavior { return {[](int x) { return 2 * x; }}; });
  caf::scoped_actor self{system};
  int answer = 0;
  self->request(doubler, std::chrono::seconds{5}, 21)
      .receive([&](int x) { answer = x; }, [](caf::error&) {});
  CHECK(answer == 42);
  self->send_exit(doubler, caf::exit_reason::user_shutdown);
}

TEST_CASE("a prompt that would grow past the limit fails before it is built, and its siblings "
          "run") {
  std::string repeated;
  for (int i = 0; i < 20'000; ++i) {
    repeated += "{input}";
  }
  engine e{default_config()};
  auto r = e.run(ensemble_from("name = \"big\"\n[[agents]]\nname = \"huge\"\nprovider = "
                               "\"mock\"\nprompt = \"" +
                               repeated + "\"\n[[agents]]\nname = \"fine\"\nprovider = \"mock\"\n"),
                 std::string(100'000, 'x'));
  CHECK(r.status == run_status::partial);
  const auto& huge = agent(r, "huge");
  CHECK(huge.status == agent_status::failed);
  CHECK(huge.attempts == 0);
  CHECK(huge.error_code == tutti::providers::call_errc::too_large);
  CHECK_FALSE(huge.queued_ms);
  CHECK(huge.error.find("the prompt would be 2000000000 bytes") == 0);
  CHECK(agent(r, "fine").status == agent_status::success);
  CHECK(e.mock_statistics().calls == 1);
}

namespace {

// What an observer was told, in order: "started", "agent NAME STATUS", "finished".
struct recording_observer : run_observer {
  void run_started(const run_result& run) override {
    std::lock_guard lock{mutex};
    id = run.id;
    calls.push_back("started " + std::to_string(run.agents.size()));
  }
  void agent_finished(const run_result& run, std::size_t agent) override {
    std::lock_guard lock{mutex};
    const auto& a = run.agents[agent];
    calls.push_back("agent " + a.name + " " + std::string{to_string(a.status)} +
                    (a.reused ? " reused" : ""));
  }
  void run_finished(const run_result& run) override {
    std::lock_guard lock{mutex};
    calls.push_back("finished " + std::string{to_string(run.status)});
  }
  std::mutex mutex;
  std::string id;
  std::vector<std::string> calls;
};

// A chain with a failure, and an agent after the failure.
std::string chain() {
  return tutti::test::chain_with_a_failure +
         "[[agents]]\nname = \"after-broken\"\nprovider = \"mock\"\ndepends_on = [\"broken\"]\n";
}

} // namespace

TEST_CASE("an observer hears of the start, each agent as it ends, and the end, in that order") {
  engine e{default_config()};
  auto observer = std::make_shared<recording_observer>();
  run_options options;
  options.mode = run_mode::sequential;
  options.observer = observer;
  auto r = e.run(ensemble_from(chain()), "go", options);
  std::lock_guard lock{observer->mutex};
  CHECK(observer->id == r.id);
  CHECK(observer->calls == std::vector<std::string>{"started 4", "agent first success",
                                                    "agent broken failed",
                                                    "agent after-broken skipped",
                                                    "agent second success", "finished partial"});
}

TEST_CASE("every run has its own id, or the one it was given") {
  engine e{default_config()};
  auto one = e.run(ensemble_from(chain()), "go");
  auto two = e.run(ensemble_from(chain()), "go");
  CHECK(one.id.size() == std::string{"20261126-215506-3fa9c2"}.size());
  CHECK(one.id != two.id);
  run_options options;
  options.id = "mine";
  CHECK(e.run(ensemble_from(chain()), "go", options).id == "mine");
}

TEST_CASE("reused agents are not called, their dependants get their outputs, the rest run") {
  engine e{default_config()};
  auto e_def = ensemble_from(chain());
  agent_result earlier;
  earlier.status = agent_status::success;
  earlier.response = "stored answer";
  earlier.attempts = 2;
  earlier.usage = {5, 7};
  run_options options;
  options.reuse = {{"first", earlier}};
  options.resumed_from = "before";
  auto observer = std::make_shared<recording_observer>();
  options.observer = observer;
  const auto calls_before = e.mock_statistics().calls;
  auto r = e.run(e_def, "go", options);
  CHECK(r.resumed_from == "before");
  const auto& first = agent(r, "first");
  CHECK(first.reused);
  CHECK(first.response == "stored answer");
  CHECK(first.attempts == 2);
  CHECK(first.usage.output_tokens == 7);
  CHECK_FALSE(first.started_ms);
  CHECK(first.duration_ms == 0);
  CHECK(agent(r, "second").response == "[second] go\n\n## first\nstored answer");
  CHECK_FALSE(agent(r, "second").reused);
  CHECK(e.mock_statistics().calls - calls_before == 2); // second and broken; not first
  std::lock_guard lock{observer->mutex};
  CHECK(std::count(observer->calls.begin(), observer->calls.end(), "agent first success reused") ==
        1);
}

TEST_CASE("a run whose every agent is reused finishes without calling anything") {
  engine e{default_config()};
  agent_result earlier;
  earlier.status = agent_status::success;
  earlier.response = "kept";
  run_options options;
  for (auto name : {"first", "second", "broken", "after-broken"}) {
    options.reuse[name] = earlier;
  }
  const auto calls_before = e.mock_statistics().calls;
  auto r = e.run(ensemble_from(chain()), "go", options);
  CHECK(r.status == run_status::completed);
  CHECK(e.mock_statistics().calls == calls_before);
  CHECK(agent(r, "after-broken").response == "kept");
}
