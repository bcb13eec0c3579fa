// The fault matrix: one test per way a server can fail, against `tutti mock-server`'s server
// on 127.0.0.1 and a free port, through each protocol it concerns. For every row: the agent's
// status and message are right, the run ends before its deadline, every resource slot is
// returned, nothing printed or returned holds the key, and the engine then runs the next
// ensemble normally.
#include "cli.hpp"
#include "support/slots.hpp"
#include "support/temp_dir.hpp"

#include <tutti/definition/config_loader.hpp>
#include <tutti/definition/ensemble_parser.hpp>
#include <tutti/engine/engine.hpp>
#include <tutti/engine/run_json.hpp>
#include <tutti/mock_server/mock_server.hpp>

#include <catch2/catch.hpp>

#include <fstream>
#include <mutex>
#include <sstream>

using namespace tutti;
using namespace tutti::engine;
using tutti::test::all_slots_returned;

namespace {

const std::string planted_key = "sk-planted-fault-matrix-7731";

// Backends of each protocol on the mock server (one server, so one group), all sending the
// planted key, and one where nothing listens. Retries wait 500 ms, then 1 s: the 5xx rows take
// about 1.5 s. The group never backs off here: every row's faults would add up to a pause,
// and backoff has tests of its own.
std::string config_text(const std::string& url) {
  std::string text;
  for (auto [name, provider] :
       {std::pair{"oa", "openai"}, std::pair{"an", "anthropic"}, std::pair{"ol", "ollama"}}) {
    text += std::string{"[backends."} + name + "]\nprovider = \"" + provider + "\"\nbase_url = \"" +
            url +
            "\"\napi_key_env = \"TEST_KEY\"\nresource = \"remote-server\"\n"
            "backoff_after_failures = 1000\n";
  }
  return text + "[backends.gone]\nprovider = \"openai\"\nbase_url = \"http://127.0.0.1:1\"\n"
                "api_key_env = \"TEST_KEY\"\nmax_attempts = 2\n";
}

// One row: agents with the model that plays the fault, one on each backend named.
struct fault_row {
  std::string model;
  std::vector<std::string> backends;
  bool stream = false;
  std::string agent_settings;
};

// What each agent of a row must end with.
struct expected {
  agent_status status;
  std::string message; // a part of the agent's error
  int attempts = 0;    // 0: not checked
};

const std::vector<std::string> every_protocol{"oa", "an", "ol"};

class matrix {
 public:
  matrix() : config_(load_config(server_.base_url())) {
    engine_options options;
    options.environment = definition::fixed_environment({{"TEST_KEY", planted_key}});
    engine_ = std::make_unique<engine::engine>(config_, options);
  }

  void check(const fault_row& row, const expected& outcome) {
    std::string agents;
    for (const auto& backend : row.backends) {
      agents += "[[agents]]\nname = \"" + backend + "\"\nbackend = \"" + backend +
                "\"\nmodel = \"" + row.model + "\"\n" + row.agent_settings;
    }
    auto r = run(agents, row.stream);
    CHECK(r.status != run_status::timeout);
    for (const auto& backend : row.backends) {
      const auto* a = r.find(backend);
      REQUIRE(a != nullptr);
      INFO(backend << ": " << a->error);
      CHECK(a->status == outcome.status);
      CHECK(a->error.find(outcome.message) != std::string::npos);
      if (outcome.attempts > 0) {
        CHECK(a->attempts == outcome.attempts);
      }
    }
    CHECK(all_slots_returned(*engine_));
    CHECK(outputs_.find(planted_key) == std::string::npos);
    check_next_ensemble_runs();
  }

 private:
  static definition::config load_config(const std::string& url) {
    auto c =
        definition::parse_config(config_text(url), "tutti.toml", definition::fixed_environment({}));
    REQUIRE(c.has_value());
    return std::move(c).value();
  }

  // Runs with a deadline well beyond every agent's timeout, keeping every output.
  run_result run(const std::string& agents, bool stream) {
    auto ensemble = definition::parse_ensemble(
        "name = \"faults\"\ntimeout_seconds = 20\nmax_concurrent_agents = 10\n" + agents,
        "faults.toml");
    REQUIRE(ensemble.has_value());
    auto resolved = definition::resolve(*ensemble, config_);
    REQUIRE(resolved.has_value());
    std::mutex mutex;
    event_callback on_event;
    if (stream) {
      on_event = [&](const run_event& e) {
        std::lock_guard lock{mutex};
        outputs_ += e.agent + e.group + e.text;
      };
    }
    auto r = engine_->run(*resolved, "hello model", {}, on_event);
    outputs_ += to_json(r);
    for (const auto& g : engine_->statistics().groups) {
      outputs_ += g.id + g.note + g.backoff;
    }
    return r;
  }

  void check_next_ensemble_runs() {
    std::string agents;
    for (const auto& backend : every_protocol) {
      agents +=
          "[[agents]]\nname = \"" + backend + "\"\nbackend = \"" + backend + "\"\nmodel = \"m\"\n";
    }
    auto r = run(agents, true);
    CHECK(r.status == run_status::completed);
    for (const auto& a : r.agents) {
      INFO(a.name << ": " << a.error);
      CHECK(a.response == "echo: hello model");
    }
  }

  mock_server::server server_;
  definition::config config_;
  std::unique_ptr<engine::engine> engine_;
  std::string outputs_;
};

void check_row(const fault_row& row, const expected& outcome) {
  matrix m;
  m.check(row, outcome);
}

// Each status as the mock server's error body, tried `attempts` times.
void check_statuses(std::initializer_list<int> statuses, int attempts) {
  for (int status : statuses) {
    auto code = std::to_string(status);
    INFO(code);
    check_row({"fail-" + code, every_protocol, false, ""},
              {agent_status::failed, "HTTP " + code + " from backend", attempts});
  }
}

const std::string short_timeout = "timeout_seconds = 0.4\n";
const expected timed_out{agent_status::timeout, "no reply within the agent's timeout", 1};

} // namespace

TEST_CASE("fault: connection refused") {
  check_row({"m", {"gone"}, false, ""},
            {agent_status::failed, "cannot connect to http://127.0.0.1:1", 2});
}

TEST_CASE("fault: the server accepts and never answers") {
  check_row({"silent", every_protocol, false, short_timeout}, timed_out);
}

TEST_CASE("fault: headers, then the server stalls") {
  check_row({"stall", every_protocol, false, short_timeout}, timed_out);
}

// The server had the request and began to answer: sending it again could make it act (and
// bill) twice, so a cut answer is never retried.
TEST_CASE("fault: the connection is reset mid-body") {
  check_row({"reset", every_protocol, false, ""}, {agent_status::failed, "was cut off", 1});
}

TEST_CASE("fault: an SSE stream is cut mid-stream") {
  check_row({"reset", {"oa", "an"}, true, ""}, {agent_status::failed, "was cut off", 1});
}

TEST_CASE("fault: an NDJSON stream is cut mid-stream") {
  check_row({"reset", {"ol"}, true, ""}, {agent_status::failed, "was cut off", 1});
}

TEST_CASE("fault: a 200 whose body is not JSON") {
  check_row({"malformed", every_protocol, false, ""},
            {agent_status::failed, "promises (not JSON)", 1});
}

TEST_CASE("fault: valid JSON of the wrong shape") {
  check_row({"wrong-shape", every_protocol, false, ""}, {agent_status::failed, "promises (no ", 1});
}

TEST_CASE("fault: 4xx with the provider's error body") {
  check_statuses({400, 401, 403, 404}, 1);
}

TEST_CASE("fault: 429 with Retry-After in seconds") {
  check_row({"fail-429", every_protocol, false, ""}, {agent_status::failed, "HTTP 429", 3});
}

TEST_CASE("fault: 429 with Retry-After as an HTTP date") {
  check_row({"fail-429-date", every_protocol, false, ""}, {agent_status::failed, "HTTP 429", 3});
}

TEST_CASE("fault: 5xx") {
  check_statuses({500, 502, 503}, 3);
}

TEST_CASE("fault: a response larger than the limit") {
  check_row({"huge", every_protocol, false, ""}, {agent_status::failed, "is larger than", 0});
}

TEST_CASE("fault: a slow drip of bytes that never finishes") {
  check_row({"drip", every_protocol, false, short_timeout}, timed_out);
}

TEST_CASE("fault: a server that quotes the key back in its error") {
  check_row({"bad-key", every_protocol, false, ""}, {agent_status::failed, "HTTP 401", 1});
}

// The command line prints what the engine returns in its own ways (progress, streamed tokens,
// tables, JSON): every fault at once, each way, and the key appears in none of it.
TEST_CASE("fault: no output of `tutti run` holds the key, whatever the servers do") {
  mock_server::server server;
  tutti::test::temp_dir dir;
  std::ofstream{dir.path() / "tutti.toml"} << config_text(server.base_url());
  std::string agents = "name = \"faults\"\ntimeout_seconds = 20\nmax_concurrent_agents = 50\n";
  int index = 0;
  for (const auto* model : {"m", "bad-key", "fail-401", "fail-500", "reset", "malformed",
                            "wrong-shape", "silent", "stall", "drip", "huge"}) {
    for (const auto& backend : every_protocol) {
      agents += "[[agents]]\nname = \"a" + std::to_string(index++) + "\"\nbackend = \"" + backend +
                "\"\nmodel = \"" + model + "\"\n" + short_timeout;
    }
  }
  agents += "[[agents]]\nname = \"refused\"\nbackend = \"gone\"\nmodel = \"m\"\n";
  std::ofstream{dir.path() / "faults.toml"} << agents;
  for (const auto& mode : {"--json", "--stream=all", "--stats"}) {
    INFO(mode);
    std::istringstream in;
    std::ostringstream out;
    std::ostringstream err;
    cli::cli_context ctx{
        dir.path(), definition::fixed_environment({{"TEST_KEY", planted_key}}), in, out, err, true,
        true};
    auto code = cli::run_cli({"tutti", "run", "faults.toml", "--input", "hi", mode}, ctx);
    CHECK(code == 1);
    // The run spoke of its agents: a0 answers on standard output, or, when a loaded machine
    // (the sanitizer build) lets its 0.4 s pass, is reported on standard error.
    CHECK((out.str() + err.str()).find("a0") != std::string::npos);
    CHECK(out.str().find(planted_key) == std::string::npos);
    CHECK(err.str().find(planted_key) == std::string::npos);
  }
}
