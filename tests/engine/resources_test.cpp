// Resource actors inside the engine, with mock backends classified as local or remote through
// `resource` overrides. Requests are sequenced through run events, never through sleeps, and
// assertions are about who ran when and the most requests a group had in flight.
#include "support/ensemble_text.hpp"
#include "support/slots.hpp"

#include <tutti/definition/config_loader.hpp>
#include <tutti/definition/ensemble_parser.hpp>
#include <tutti/engine/engine.hpp>
#include <tutti/engine/run_json.hpp>
#include <tutti/providers/io_thread.hpp>
#include <tutti/providers/mock_provider.hpp>

#include <catch2/catch.hpp>

#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

using namespace tutti;
using namespace tutti::engine;
using tutti::test::all_slots_returned;
using tutti::test::eventually;

namespace {

const std::string backends = R"(
[limits]
max_concurrent_llm_calls = 100
[backends.local]
provider = "mock"
resource = "local-server"
[backends.api]
provider = "mock"
[backends.server]
provider = "mock"
resource = "remote-server"
[backends.studio]
provider = "mock"
resource = "local-server"
exclusive = "model"
[backends.flaky]
provider = "ollama"
base_url = "http://gpu-box:11434"
backoff_after_failures = 2
backoff_initial_seconds = 1
max_attempts = 1
[backends.auto]
provider = "ollama"
max_concurrent = "auto"
)";

definition::config config_with(const std::string& extra = "") {
  auto c =
      definition::parse_config(backends + extra, "tutti.toml", definition::fixed_environment({}));
  REQUIRE(c.has_value());
  return std::move(c).value();
}

// The test backends under an engine-wide limit of three calls.
definition::config config_with_three_calls() {
  auto c = definition::parse_config("[limits]\nmax_concurrent_llm_calls = 3\n" +
                                        backends.substr(backends.find("[backends")),
                                    "tutti.toml", definition::fixed_environment({}));
  REQUIRE(c.has_value());
  return std::move(c).value();
}

definition::resolved_ensemble ensemble(const definition::config& c, const std::string& toml) {
  auto e = definition::parse_ensemble(toml, "test.toml");
  REQUIRE(e.has_value());
  auto r = definition::resolve(*e, c);
  REQUIRE(r.has_value());
  return std::move(r).value();
}

// One agent on `backend` with a latency and a priority.
std::string agent(const std::string& name, const std::string& backend, int latency_ms,
                  int priority = 5, const std::string& model = "m") {
  return "[[agents]]\nname = \"" + name + "\"\nbackend = \"" + backend + "\"\nmodel = \"" + model +
         "\"\npriority = " + std::to_string(priority) +
         "\nmock = { latency_ms = " + std::to_string(latency_ms) + " }\n";
}

// One agent on `backend` whose latency is its provider's own.
std::string plain_agent(const std::string& name, const std::string& backend) {
  return "[[agents]]\nname = \"" + name + "\"\nbackend = \"" + backend + "\"\nmodel = \"m\"\n";
}

// Records, across runs, the order in which agents started and waits for events.
class event_log {
 public:
  event_callback callback() {
    return [this](const run_event& e) {
      std::lock_guard lock{mutex_};
      if (e.kind == run_event_kind::started) {
        started_.push_back(e.agent);
      } else if (e.kind == run_event_kind::waiting) {
        waiting_.push_back(e.agent);
      }
      changed_.notify_all();
    };
  }
  void wait_started(const std::string& name) { wait_for(started_, name); }
  void wait_waiting(const std::string& name) { wait_for(waiting_, name); }
  std::vector<std::string> started() {
    std::lock_guard lock{mutex_};
    return started_;
  }

 private:
  void wait_for(const std::vector<std::string>& list, const std::string& name) {
    std::unique_lock lock{mutex_};
    REQUIRE(changed_.wait_for(lock, std::chrono::seconds{10}, [&] {
      return std::find(list.begin(), list.end(), name) != list.end();
    }));
  }
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> started_;
  std::vector<std::string> waiting_;
};

const resources::group_statistics& group(const resource_statistics& s, const std::string& id) {
  auto found =
      std::find_if(s.groups.begin(), s.groups.end(), [&](const auto& g) { return g.id == id; });
  REQUIRE(found != s.groups.end());
  return *found;
}

} // namespace

TEST_CASE("remote API agents of different priorities all run at once") {
  auto c = config_with();
  engine::engine e{c};
  auto r =
      e.run(ensemble(c, "name = \"r\"\n" + agent("a", "api", 200, 2) + agent("b", "api", 200, 5) +
                            agent("c", "api", 200, 8) + agent("d", "api", 200, 10)),
            "go");
  CHECK(r.status == run_status::completed);
  auto stats = e.statistics();
  CHECK(group(stats, "mock@api").peak_active == 4);
  CHECK(group(stats, "mock@api").is_unlimited);
  CHECK(group(stats, "mock@api").completed == 4);
  REQUIRE(r.resources.size() == 1);
  CHECK(r.resources[0].id == "mock@api");
  CHECK(all_slots_returned(e));
}

TEST_CASE("a local server runs one request at a time, higher priority first") {
  auto c = config_with();
  engine::engine e{c};
  event_log log;
  auto busy =
      e.start(ensemble(c, "name = \"w\"\n" + agent("w", "local", 300)), "go", {}, log.callback());
  log.wait_started("w");
  auto queued =
      e.start(ensemble(c, "name = \"q\"\n" + agent("p5", "local", 10, 5) +
                              agent("p8", "local", 10, 8) + agent("p10", "local", 10, 10)),
              "go", {}, log.callback());
  log.wait_waiting("p5");
  log.wait_waiting("p8");
  log.wait_waiting("p10");
  busy.wait();
  CHECK(queued.wait().status == run_status::completed);
  CHECK(log.started() == std::vector<std::string>{"w", "p10", "p8", "p5"});
  CHECK(group(e.statistics(), "mock@local").peak_active == 1);
  CHECK(all_slots_returned(e));
}

TEST_CASE("a busy local server with Y (3) then Z (8) queued runs Z, then Y") {
  auto c = config_with();
  engine::engine e{c};
  event_log log;
  auto x = e.start(ensemble(c, "name = \"x\"\n" + agent("X", "local", 300, 5)), "go", {},
                   log.callback());
  log.wait_started("X");
  auto y =
      e.start(ensemble(c, "name = \"y\"\n" + agent("Y", "local", 10, 3)), "go", {}, log.callback());
  log.wait_waiting("Y");
  auto z =
      e.start(ensemble(c, "name = \"z\"\n" + agent("Z", "local", 10, 8)), "go", {}, log.callback());
  log.wait_waiting("Z");
  x.wait();
  y.wait();
  z.wait();
  CHECK(log.started() == std::vector<std::string>{"X", "Z", "Y"});
}

TEST_CASE("a run's priority orders its requests before any agent's own") {
  auto c = config_with();
  engine::engine e{c};
  event_log log;
  auto busy =
      e.start(ensemble(c, "name = \"w\"\n" + agent("w", "local", 300)), "go", {}, log.callback());
  log.wait_started("w");
  run_options low;
  low.priority = 1;
  auto y = e.start(ensemble(c, "name = \"y\"\n" + agent("eager", "local", 10, 10)), "go", low,
                   log.callback());
  log.wait_waiting("eager");
  run_options high;
  high.priority = 9;
  auto z = e.start(ensemble(c, "name = \"z\"\n" + agent("modest", "local", 10, 1)), "go", high,
                   log.callback());
  log.wait_waiting("modest");
  busy.wait();
  y.wait();
  z.wait();
  CHECK(log.started() == std::vector<std::string>{"w", "modest", "eager"});
}

TEST_CASE("requests of the same priority are admitted oldest first") {
  auto c = config_with();
  engine::engine e{c};
  event_log log;
  std::vector<run_handle> runs;
  runs.push_back(
      e.start(ensemble(c, "name = \"w\"\n" + agent("w", "local", 200)), "go", {}, log.callback()));
  log.wait_started("w");
  for (std::string name : {"first", "second", "third"}) {
    runs.push_back(e.start(ensemble(c, "name = \"" + name + "\"\n" + agent(name, "local", 10)),
                           "go", {}, log.callback()));
    log.wait_waiting(name);
  }
  for (auto& run : runs) {
    run.wait();
  }
  CHECK(log.started() == std::vector<std::string>{"w", "first", "second", "third"});
}

TEST_CASE("mixed: local A runs, remote B and D run beside it, local C waits for A") {
  auto c = config_with();
  engine::engine e{c};
  event_log log;
  auto first = e.start(ensemble(c, "name = \"m\"\n" + agent("A", "local", 300, 5) +
                                       agent("B", "api", 300, 10) + agent("D", "server", 300, 7)),
                       "go", {}, log.callback());
  log.wait_started("A");
  auto second =
      e.start(ensemble(c, "name = \"c\"\n" + agent("C", "local", 10, 3)), "go", {}, log.callback());
  const auto& r = first.wait();
  const auto& rc = second.wait();
  for (std::string name : {"A", "B", "D"}) {
    for (std::string other : {"A", "B", "D"}) {
      CHECK(*r.find(name)->started_ms < *r.find(other)->finished_ms); // all three overlap
    }
  }
  auto started = log.started();
  CHECK(started.back() == "C");
  CHECK(rc.agents[0].status == agent_status::success);
  auto stats = e.statistics();
  CHECK(group(stats, "mock@local").peak_active == 1);
  CHECK(group(stats, "mock@server").resource == "remote-server");
  CHECK(all_slots_returned(e));
}

TEST_CASE("remote calls never wait behind a saturated local server") {
  auto c = config_with("");
  auto limited = config_with_three_calls();
  engine::engine e{limited};
  std::string text = "name = \"sat\"\nmax_concurrent_agents = 20\n";
  for (int i = 0; i < 5; ++i) {
    text += agent("local" + std::to_string(i), "local", 1000, 9);
    text += agent("remote" + std::to_string(i), "api", 50, 1);
  }
  auto r = e.run(ensemble(limited, text), "go");
  CHECK(r.status == run_status::completed);
  double first_local_finish = 1e18;
  double last_remote_finish = 0;
  for (const auto& a : r.agents) {
    if (a.name.rfind("local", 0) == 0) {
      first_local_finish = std::min(first_local_finish, *a.finished_ms);
    } else {
      last_remote_finish = std::max(last_remote_finish, *a.finished_ms);
    }
  }
  CHECK(last_remote_finish < first_local_finish);
  auto stats = e.statistics();
  CHECK(stats.engine_limit.peak_active == 3);
  CHECK(group(stats, "mock@local").peak_active == 1);
  CHECK(all_slots_returned(e));
}

TEST_CASE("eight ensembles at once share one local server and its limit of one holds") {
  auto c = config_with();
  engine::engine e{c};
  std::vector<run_handle> runs;
  for (int i = 0; i < 8; ++i) {
    runs.push_back(
        e.start(ensemble(c, "name = \"e" + std::to_string(i) + "\"\n" + agent("a", "local", 5) +
                                agent("b", "local", 5) + agent("remote", "api", 5)),
                "go"));
  }
  for (auto& run : runs) {
    CHECK(run.wait().status == run_status::completed);
  }
  auto stats = e.statistics();
  CHECK(group(stats, "mock@local").peak_active == 1);
  CHECK(group(stats, "mock@local").completed == 16);
  CHECK(all_slots_returned(e));
}

TEST_CASE("a group's limit can change while requests wait, and takes effect at once") {
  auto c = config_with();
  engine::engine e{c};
  event_log log;
  std::string text = "name = \"l\"\n";
  for (int i = 0; i < 6; ++i) {
    text += agent("a" + std::to_string(i), "local", 300);
  }
  auto run = e.start(ensemble(c, text), "go", {}, log.callback());
  log.wait_waiting("a5");
  CHECK(e.set_group_limit("mock@local", definition::concurrency_limit::at_most(3)));
  CHECK_FALSE(e.set_group_limit("no-such-group", definition::concurrency_limit::at_most(3)));
  CHECK(run.wait().status == run_status::completed);
  auto stats = e.statistics();
  CHECK(group(stats, "mock@local").peak_active == 3);
  CHECK(group(stats, "mock@local").limit == 3);
  CHECK_FALSE(group(stats, "mock@local").is_unlimited);
}

TEST_CASE("exclusive = model queues per model and runs different models in parallel") {
  auto c = config_with();
  engine::engine e{c};
  auto r = e.run(ensemble(c, "name = \"x\"\n" + agent("a1", "studio", 200, 5, "qwen") +
                                 agent("a2", "studio", 200, 5, "qwen") +
                                 agent("b1", "studio", 200, 5, "llama") +
                                 agent("b2", "studio", 200, 5, "llama")),
                 "go");
  CHECK(r.status == run_status::completed);
  auto stats = e.statistics();
  CHECK(group(stats, "mock@studio/qwen").peak_active == 1);
  CHECK(group(stats, "mock@studio/llama").peak_active == 1);
  CHECK(r.find("a1")->group == "mock@studio/qwen");
  // The first llama call starts before the first qwen call ends, whichever of each went first.
  CHECK(std::min(*r.find("b1")->started_ms, *r.find("b2")->started_ms) <
        std::min(*r.find("a1")->finished_ms, *r.find("a2")->finished_ms));
}

namespace {

// A model server on a mock timer, for backends of other providers.
class timed_provider final : public providers::provider {
 public:
  explicit timed_provider(std::chrono::milliseconds latency) : latency_(latency) {}
  providers::cancel_call start(providers::completion_request request,
                               providers::token_callback on_token,
                               providers::completion_callback done) override {
    request.mock.latency = latency_;
    return mock_.start(std::move(request), std::move(on_token), std::move(done));
  }

 private:
  std::chrono::milliseconds latency_;
  providers::io_thread io_;
  providers::mock_provider mock_{io_};
};

// A server that fails for its first `failures` calls: it refuses connections, or with `code`.
class flaky_provider final : public providers::provider {
 public:
  explicit flaky_provider(int failures,
                          providers::call_errc code = providers::call_errc::unreachable)
      : failures_left_(failures), code_(code) {}
  providers::cancel_call start(providers::completion_request request, providers::token_callback,
                               providers::completion_callback done) override {
    providers::completion_result r;
    if (failures_left_-- > 0) {
      r.error = code_ == providers::call_errc::unreachable ? "connection refused" : "HTTP 500";
      r.code = code_;
    } else {
      r.code = providers::call_errc::none;
      r.text = "back: " + request.prompt;
    }
    done(std::move(r));
    return [] {};
  }

 private:
  std::atomic<int> failures_left_;
  providers::call_errc code_;
};

class fixed_probe final : public resources::loaded_models_probe {
 public:
  explicit fixed_probe(std::optional<int> loaded) : loaded_(loaded) {}
  void count_loaded(const definition::backend_spec&,
                    resources::loaded_models_callback done) override {
    done(loaded_, loaded_ ? "" : "connection refused");
  }

 private:
  std::optional<int> loaded_;
};

} // namespace

TEST_CASE("repeated server errors pause a backend, then one probe finds it back") {
  auto c = config_with();
  engine::engine e{c};
  // 500s: a server that answers is busy or broken for now, so waiting agents keep their place.
  e.register_provider("ollama",
                      std::make_shared<flaky_provider>(2, providers::call_errc::server_error));
  auto failing =
      e.run(ensemble(c, "name = \"f\"\n" + plain_agent("f1", "flaky") + plain_agent("f2", "flaky")),
            "go");
  CHECK(failing.status == run_status::failed);
  auto group_id = failing.agents[0].group;
  CHECK(group(e.statistics(), group_id).backoff == "paused");
  std::string text = "name = \"g\"\n";
  for (int i = 0; i < 3; ++i) {
    text += plain_agent("g" + std::to_string(i), "flaky");
  }
  auto recovered = e.run(ensemble(c, text), "go");
  CHECK(recovered.status == run_status::completed);
  auto stats = group(e.statistics(), group_id);
  CHECK(stats.backoff == "ok");
  CHECK(stats.failed == 2);
  CHECK(stats.completed == 3);
  CHECK(all_slots_returned(e));
}

TEST_CASE("an automatic limit follows the server's loaded models, or falls back to one") {
  auto c = config_with();
  engine_options options;
  options.loaded_models_probe = std::make_shared<fixed_probe>(3);
  engine::engine e{c, options};
  e.register_provider("ollama", std::make_shared<timed_provider>(std::chrono::milliseconds{200}));
  std::string text = "name = \"auto\"\n";
  for (int i = 0; i < 6; ++i) {
    text += plain_agent("a" + std::to_string(i), "auto");
  }
  auto r = e.run(ensemble(c, text), "go");
  CHECK(r.status == run_status::completed);
  auto stats = group(e.statistics(), r.agents[0].group);
  CHECK(stats.peak_active == 3);
  CHECK(stats.limit == 3);
  CHECK(stats.is_auto_limit);
  CHECK(stats.note == "3 models loaded");

  engine_options unreachable;
  unreachable.loaded_models_probe = std::make_shared<fixed_probe>(std::nullopt);
  engine::engine fallback{c, unreachable};
  fallback.register_provider("ollama",
                             std::make_shared<timed_provider>(std::chrono::milliseconds{20}));
  auto fr = fallback.run(ensemble(c, text), "go");
  auto fstats = group(fallback.statistics(), fr.agents[0].group);
  CHECK(fstats.peak_active == 1);
  CHECK(fstats.limit == 1);
  CHECK(fstats.is_auto_limit);
  CHECK(fstats.note == "cannot ask the server (connection refused); using 1");
}

TEST_CASE("no slot leaks after timeouts, deadlines and cancellations") {
  auto c = config_with();
  engine::engine e{c};
  auto timeouts = e.run(ensemble(c, "name = \"t\"\n" + agent("stuck", "local", 60000) +
                                        "timeout_seconds = 0.05\n" + agent("next", "local", 10)),
                        "go");
  CHECK(timeouts.find("stuck")->status == agent_status::timeout);
  CHECK(timeouts.find("next")->status == agent_status::success);
  auto deadline = e.run(ensemble(c, "name = \"d\"\ntimeout_seconds = 0.1\n" +
                                        agent("a", "local", 60000) + agent("b", "local", 60000)),
                        "go");
  CHECK(deadline.status == run_status::timeout);
  auto handle = e.start(ensemble(c, "name = \"c\"\n" + agent("x", "api", 60000) +
                                        agent("y", "local", 60000) + agent("z", "local", 60000)),
                        "go");
  handle.cancel();
  CHECK(handle.wait().status == run_status::cancelled);
  CHECK(all_slots_returned(e));
  auto local = group(e.statistics(), "mock@local");
  // Only what the group admitted counts: the agent that waited behind y was never its call.
  CHECK(local.timed_out >= 1);
  CHECK(local.cancelled >= 1);
}

TEST_CASE("can_run_immediately tells whether a request would be admitted now") {
  auto c = config_with("[profiles.fast]\nbackend = \"local\"\nmodel = \"m\"\n"
                       "[profiles.cloud]\nbackend = \"api\"\nmodel = \"m\"\n");
  engine::engine e{c};
  CHECK(e.can_run_immediately("local", "m"));
  CHECK(e.can_run_immediately("fast"));
  event_log log;
  auto busy =
      e.start(ensemble(c, "name = \"w\"\n" + agent("w", "local", 60000)), "go", {}, log.callback());
  log.wait_started("w");
  CHECK_FALSE(e.can_run_immediately("local", "m"));
  CHECK_FALSE(e.can_run_immediately("fast"));
  CHECK(e.can_run_immediately("cloud"));
  CHECK_FALSE(e.can_run_immediately("no-such-profile"));
  CHECK_FALSE(e.can_run_immediately("no-such-backend", "m"));
  busy.cancel();
  busy.wait();
  CHECK(all_slots_returned(e));
  CHECK(e.can_run_immediately("fast"));
}

TEST_CASE("an automatic limit is asked for again periodically") {
  class counting_probe final : public resources::loaded_models_probe {
   public:
    void count_loaded(const definition::backend_spec&,
                      resources::loaded_models_callback done) override {
      done(++asked, "");
    }
    std::atomic<int> asked{0};
  };
  auto c = config_with();
  auto& backend = c.backends.at("auto");
  backend.auto_refresh = std::chrono::milliseconds{20};
  auto probe = std::make_shared<counting_probe>();
  engine_options options;
  options.loaded_models_probe = probe;
  engine::engine e{c, options};
  e.register_provider("ollama", std::make_shared<timed_provider>(std::chrono::milliseconds{300}));
  auto r = e.run(ensemble(c, "name = \"a\"\n" + plain_agent("a", "auto")), "go");
  CHECK(r.status == run_status::completed);
  CHECK(probe->asked >= 3);
  CHECK(group(e.statistics(), r.agents[0].group).note.find("models loaded") != std::string::npos);
}

TEST_CASE("two backends for one server must agree on its limit") {
  auto c = config_with("[backends.same-local]\nprovider = \"mock\"\n");
  // Two mock backends are two groups; two names for one Ollama server are one group.
  auto one_server =
      definition::parse_config("[backends.laptop]\nprovider = \"ollama\"\nmax_concurrent = 2\n",
                               "tutti.toml", definition::fixed_environment({}));
  REQUIRE(one_server.has_value());
  engine::engine e{*one_server};
  e.register_provider("ollama", std::make_shared<timed_provider>(std::chrono::milliseconds{1}));
  auto both = ensemble(*one_server,
                       "name = \"b\"\n" + plain_agent("a", "laptop") + plain_agent("b", "ollama"));
  auto problems = e.check(both);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].message ==
        "backends 'laptop' and 'ollama' are the same server (group "
        "http://localhost:11434) with different limits (2 and 1); use one backend "
        "for it, or give both the same limit");
  CHECK(e.check(ensemble(*one_server, "name = \"a\"\n" + plain_agent("a", "laptop"))).empty());
  CHECK(e.check(ensemble(c, "name = \"m\"\n" + plain_agent("a", "same-local") +
                                plain_agent("b", "api")))
            .empty());
}

TEST_CASE("remote agents never wait behind queued local ones, whatever the cap") {
  auto c = config_with();
  // With a cap of 1 only one agent runs at all, so there is no "beside": caps 2 and 10 show it.
  for (int cap : {2, 10}) {
    INFO("max_concurrent_agents " << cap);
    engine::engine e{c};
    std::string text = "name = \"mixed\"\nmax_concurrent_agents = " + std::to_string(cap) + "\n";
    for (int i = 0; i < 4; ++i) {
      text += agent("local" + std::to_string(i), "local", 200);
    }
    for (int i = 0; i < 3; ++i) {
      text += agent("remote" + std::to_string(i), "api", 20);
    }
    auto r = e.run(ensemble(c, text), "go");
    CHECK(r.status == run_status::completed);
    // Whatever the cap, a remote agent is done before a second local one even starts: the
    // locals queued behind the first hold no place under the cap.
    // The locals ask at once; whichever the group admits first, the second starts after it.
    std::vector<double> local_starts;
    for (int i = 0; i < 4; ++i) {
      local_starts.push_back(*r.find("local" + std::to_string(i))->started_ms);
    }
    std::sort(local_starts.begin(), local_starts.end());
    const auto second_local = local_starts[1];
    for (int i = 0; i < 3; ++i) {
      CHECK(*r.find("remote" + std::to_string(i))->finished_ms <= second_local);
    }
    CHECK(group(e.statistics(), "mock@local").peak_active == 1);
    REQUIRE(r.caps.size() == 2);
    CHECK(r.caps[0].id == "run");
    CHECK(r.caps[0].peak_active <= static_cast<std::uint64_t>(cap));
    CHECK(r.caps[1].id == "engine");
    CHECK(all_slots_returned(e));
  }
}

TEST_CASE("an agent's timeout counts from its admission, and its wait is reported") {
  auto c = config_with();
  engine::engine e{c};
  auto r = e.run(ensemble(c, "name = \"t\"\n" + agent("first", "local", 300) +
                                 "timeout_seconds = 0.6\n" + agent("second", "local", 300) +
                                 "timeout_seconds = 0.6\n"),
                 "go");
  CHECK(r.status == run_status::completed); // the second waited ~300 ms, then had its 600 ms
  // Both ask at once; whichever the group admitted first is "first" here.
  const bool in_order = *r.find("first")->started_ms <= *r.find("second")->started_ms;
  const auto& first = *r.find(in_order ? "first" : "second");
  const auto& second = *r.find(in_order ? "second" : "first");
  REQUIRE(first.queued_ms);
  REQUIRE(second.queued_ms);
  CHECK(*second.queued_ms > *first.queued_ms);
  CHECK(*second.started_ms > *first.started_ms);
}

TEST_CASE("a queue timeout ends an agent that was never admitted, and says so") {
  auto c = config_with();
  engine::engine e{c};
  event_log log;
  // Another run holds the local server first, so that the impatient agent surely waits.
  auto busy = e.start(ensemble(c, "name = \"busy\"\n" + agent("busy", "local", 400)), "go", {},
                      log.callback());
  log.wait_started("busy");
  auto r = e.run(ensemble(c, "name = \"q\"\n" + agent("impatient", "local", 10) +
                                 "queue_timeout_seconds = 0.1\n"),
                 "go");
  const auto& impatient = *r.find("impatient");
  CHECK(impatient.status == agent_status::timeout);
  CHECK(impatient.error_code == providers::call_errc::queue_timeout);
  CHECK(impatient.attempts == 0);
  CHECK(impatient.error.find("not admitted by group mock@local within the queue timeout") == 0);
  REQUIRE(impatient.queued_ms);
  CHECK(*impatient.queued_ms > 0);
  CHECK(busy.wait().status == run_status::completed);
  CHECK(all_slots_returned(e));
}

namespace {

// Answers each agent's first call with a 429 and `retry_after`, and the next with success.
class rate_limited_provider final : public providers::provider {
 public:
  explicit rate_limited_provider(std::chrono::milliseconds retry_after,
                                 std::set<std::string> limited)
      : retry_after_(retry_after), limited_(std::move(limited)) {}
  providers::cancel_call start(providers::completion_request request, providers::token_callback,
                               providers::completion_callback done) override {
    providers::completion_result r;
    std::unique_lock lock{mutex_};
    if (limited_.count(request.agent) != 0 && answered_.insert(request.agent).second) {
      lock.unlock();
      r.code = providers::call_errc::rate_limited;
      r.error = "HTTP 429 from backend 'flaky': slow down";
      r.retry_after = retry_after_;
      done(std::move(r));
      return [] {};
    }
    lock.unlock();
    r.code = providers::call_errc::none;
    r.text = "ok " + request.agent;
    // Answer a little later, so that overlapping calls can be seen.
    std::thread{[r = std::move(r), done = std::move(done)]() mutable {
      std::this_thread::sleep_for(std::chrono::milliseconds{50});
      done(std::move(r));
    }}.detach();
    return [] {};
  }

 private:
  std::chrono::milliseconds retry_after_;
  std::set<std::string> limited_;
  std::mutex mutex_;
  std::set<std::string> answered_;
};

} // namespace

TEST_CASE("during a retry wait the agent gives its slot back, and a Retry-After past its time "
          "fails at once") {
  auto c = config_with("[backends.one]\nprovider = \"ollama\"\nbase_url = "
                       "\"http://127.0.0.1:11999\"\n");
  SECTION("the slot goes to the next agent while the first waits") {
    engine::engine e{c};
    e.register_provider("ollama", std::make_shared<rate_limited_provider>(
                                      std::chrono::milliseconds{300}, std::set<std::string>{"a"}));
    // a first (a higher priority), so that b can only run in a's wait.
    auto r = e.run(ensemble(c, "name = \"r\"\n" + plain_agent("a", "one") + "priority = 9\n" +
                                   plain_agent("b", "one")),
                   "go");
    CHECK(r.status == run_status::completed);
    CHECK(r.find("a")->attempts == 2);
    CHECK(*r.find("b")->finished_ms < *r.find("a")->finished_ms); // b ran in a's wait
    CHECK(all_slots_returned(e));
  }
  SECTION("a server that asks for 100,000 s is not waited for") {
    engine::engine e{c};
    e.register_provider("ollama", std::make_shared<rate_limited_provider>(
                                      std::chrono::seconds{100'000}, std::set<std::string>{"a"}));
    auto r = e.run(ensemble(c, "name = \"r\"\n" + plain_agent("a", "one")), "go");
    const auto& a = *r.find("a");
    CHECK(a.status == agent_status::failed);
    CHECK(a.attempts == 1);
    CHECK(a.error_code == providers::call_errc::rate_limited);
    CHECK(a.error.find("HTTP 429 from backend 'flaky': slow down (it asks to retry after") == 0);
  }
}

TEST_CASE("a server that is down fails its waiting agents at once, which were never sent") {
  auto c = config_with("[backends.down]\nprovider = \"ollama\"\nbase_url = "
                       "\"http://127.0.0.1:11998\"\nbackoff_after_failures = 1\n"
                       "backoff_initial_seconds = 30\n");
  engine::engine e{c};
  e.register_provider("ollama", std::make_shared<flaky_provider>(1'000'000));
  std::string text = "name = \"down\"\n";
  for (int i = 0; i < 10; ++i) {
    text += plain_agent("a" + std::to_string(i), "down") + "timeout_seconds = 20\n";
  }
  auto r = e.run(ensemble(c, text), "go");
  CHECK(r.status == run_status::failed);
  int never_sent = 0;
  for (const auto& a : r.agents) {
    INFO(a.name << ": " << a.error);
    CHECK(a.status == agent_status::failed);
    CHECK(a.error.find("connection refused") != std::string::npos);
    if (a.attempts == 0) {
      ++never_sent;
      CHECK(a.error_code == providers::call_errc::server_down);
      CHECK(a.error.find("the server http://localhost:11998 is down (connection refused)") == 0);
    }
  }
  CHECK(never_sent == 9); // only the first reached the server; the pause outlasts every timeout
  CHECK(all_slots_returned(e));
}

TEST_CASE("on cancel, agents that were never admitted are skipped, not failed") {
  auto c = config_with();
  engine::engine e{c};
  event_log log;
  auto run = e.start(ensemble(c, "name = \"c\"\n" + agent("x", "local", 60000) +
                                     agent("y", "local", 60000) + agent("z", "local", 60000)),
                     "go", {}, log.callback());
  // Whichever the group admits first calls; the other two wait.
  REQUIRE(eventually([&] { return log.started().size() == 1; }));
  const auto calling = log.started().front();
  for (const auto* name : {"x", "y", "z"}) {
    if (name != calling) {
      log.wait_waiting(name);
    }
  }
  run.cancel();
  const auto& r = run.wait();
  CHECK(r.find(calling)->status == agent_status::failed);
  CHECK(r.find(calling)->error == "run cancelled");
  for (const auto* name : {"x", "y", "z"}) {
    if (name != calling) {
      CHECK(r.find(name)->status == agent_status::skipped);
      CHECK(r.find(name)->error == "run cancelled");
      CHECK(r.find(name)->attempts == 0);
    }
  }
}

TEST_CASE("a group counts only the calls it let through, not those waiting for the engine's cap") {
  auto c = config_with_three_calls();
  engine::engine e{c};
  std::string text = "name = \"capped\"\nmax_concurrent_agents = 20\n";
  for (int i = 0; i < 6; ++i) {
    text += agent("a" + std::to_string(i), "api", 100);
  }
  auto r = e.run(ensemble(c, text), "go");
  CHECK(r.status == run_status::completed);
  CHECK(e.mock_statistics().peak_in_flight == 3);
  CHECK(group(e.statistics(), "mock@api").peak_active == 3); // what the server saw
  CHECK(e.statistics().engine_limit.peak_active == 3);
}

TEST_CASE("a server that refuses connections is down: its waiting agents fail at once, whatever "
          "their timeouts") {
  auto c = config_with("[backends.gone]\nprovider = \"ollama\"\nbase_url = "
                       "\"http://127.0.0.1:11997\"\n"); // default backoff: 3 failures, then 1 s
  engine::engine e{c};
  e.register_provider("ollama", std::make_shared<flaky_provider>(1'000'000));
  std::string text = "name = \"gone\"\n";
  for (int i = 0; i < 10; ++i) {
    text += plain_agent("a" + std::to_string(i), "gone"); // the default timeout of 60 s
  }
  auto r = e.run(ensemble(c, text), "go");
  int never_sent = 0;
  for (const auto& a : r.agents) {
    INFO(a.name << ": " << a.error);
    CHECK(a.status == agent_status::failed);
    CHECK(a.error.find("connection refused") != std::string::npos);
    never_sent += a.attempts == 0 ? 1 : 0;
  }
  CHECK(never_sent >= 7); // three failures paused the group; nobody else was sent
  CHECK(all_slots_returned(e));
}
