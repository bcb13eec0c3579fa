// The engine against `tutti mock-server`'s server, in-process on 127.0.0.1 and a free port,
// through every protocol, streaming and not, and through every failure the server can play.
#include "support/slots.hpp"

#include <tutti/definition/config_loader.hpp>
#include <tutti/definition/ensemble_parser.hpp>
#include <tutti/engine/engine.hpp>
#include <tutti/engine/run_json.hpp>
#include <tutti/mock_server/mock_server.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>

#include <mutex>

using namespace tutti;
using namespace tutti::engine;
using tutti::test::all_slots_returned;
using tutti::test::eventually;

namespace {

const std::string planted_key = "sk-planted-secret-4242";

struct fixture {
  mock_server::server server;       // a remote server, as far as the configuration says
  mock_server::server local_server; // another port: another server, with a limit of one
  definition::config config;
  std::unique_ptr<engine::engine> engine;

  fixture() : config(make_config(server.base_url(), local_server.base_url())) {
    engine_options options;
    options.environment = definition::fixed_environment({{"TEST_KEY", planted_key}});
    engine = std::make_unique<engine::engine>(config, options);
  }

  static definition::config make_config(const std::string& url, const std::string& local_url) {
    auto text = "[backends.oa]\nprovider = \"openai\"\nbase_url = \"" + url +
                "\"\napi_key_env = \"TEST_KEY\"\nresource = \"remote-server\"\n"
                "[backends.an]\nprovider = \"anthropic\"\nbase_url = \"" +
                url +
                "\"\napi_key_env = \"TEST_KEY\"\nresource = \"remote-server\"\n"
                "[backends.ol]\nprovider = \"ollama\"\nbase_url = \"" +
                url +
                "\"\nresource = \"remote-server\"\n"
                "[backends.local]\nprovider = \"ollama\"\nbase_url = \"" +
                local_url +
                "/v1\"\n"
                "[backends.gone]\nprovider = \"openai\"\nbase_url = \"http://127.0.0.1:1\"\n"
                "max_attempts = 2\n";
    auto c = definition::parse_config(text, "tutti.toml", definition::fixed_environment({}));
    REQUIRE(c.has_value());
    return std::move(c).value();
  }

  definition::resolved_ensemble ensemble(const std::string& agents) const {
    auto e = definition::parse_ensemble("name = \"http\"\n" + agents, "test.toml");
    REQUIRE(e.has_value());
    auto r = definition::resolve(*e, config);
    REQUIRE(r.has_value());
    return std::move(r).value();
  }

  run_result run(const std::string& agents, bool stream = false) {
    std::mutex mutex;
    std::map<std::string, std::string> tokens;
    event_callback on_event;
    if (stream) {
      on_event = [&](const run_event& e) {
        if (e.kind == run_event_kind::token) {
          std::lock_guard lock{mutex};
          tokens[e.agent] += e.text;
        }
      };
    }
    auto r = engine->run(ensemble(agents), "hello model", {}, on_event);
    streamed = tokens;
    return r;
  }

  std::map<std::string, std::string> streamed;
};

std::string agent(const std::string& name, const std::string& backend, const std::string& model,
                  const std::string& extra = "") {
  return "[[agents]]\nname = \"" + name + "\"\nbackend = \"" + backend + "\"\nmodel = \"" + model +
         "\"\n" + extra;
}

} // namespace

TEST_CASE("replies and usage arrive intact through every protocol, streamed or not") {
  fixture f;
  for (bool stream : {false, true}) {
    INFO((stream ? "streaming" : "whole"));
    auto r = f.run(agent("openai", "oa", "m") + agent("anthropic", "an", "m") +
                       agent("ollama", "ol", "m"),
                   stream);
    CHECK(r.status == run_status::completed);
    for (const auto& a : r.agents) {
      INFO(a.name << ": " << a.error);
      CHECK(a.response == "echo: hello model");
      CHECK(a.usage.input_tokens == 2);
      CHECK(a.usage.output_tokens == 3);
      CHECK(a.attempts == 1);
      if (stream) {
        CHECK(f.streamed[a.name] == "echo: hello model");
      }
    }
  }
  CHECK(all_slots_returned(*f.engine));
}

TEST_CASE("a 4xx is shown with the provider's message and not retried") {
  fixture f;
  auto r = f.run(agent("a", "oa", "fail-400") + agent("b", "ol", "fail-404"));
  CHECK(r.find("a")->status == agent_status::failed);
  CHECK(r.find("a")->error == "HTTP 400 from backend 'oa': mock failure 400");
  CHECK(r.find("a")->attempts == 1);
  CHECK(r.find("b")->error == "HTTP 404 from backend 'ol': mock failure 404");
  CHECK(f.server.of_model("fail-400").requests == 1);
}

TEST_CASE("5xx and refused connections are retried up to the attempts allowed, a cut answer "
          "is not") {
  fixture f;
  auto r = f.run(agent("down", "an", "fail-503") + agent("flaky", "oa", "flaky-503-2") +
                 agent("reset", "ol", "reset") + agent("refused", "gone", "m"));
  CHECK(r.find("down")->status == agent_status::failed);
  CHECK(r.find("down")->attempts == 3);
  CHECK(r.find("down")->error == "HTTP 503 from backend 'an': mock failure 503 (after 3 attempts)");
  CHECK(f.server.of_model("fail-503").requests == 3);
  CHECK(r.find("flaky")->status == agent_status::success);
  CHECK(r.find("flaky")->attempts == 3);
  CHECK(r.find("reset")->status == agent_status::failed);
  CHECK(r.find("reset")->attempts == 1); // the server had it: a second POST could run twice
  CHECK(r.find("reset")->error.find("was cut off") != std::string::npos);
  CHECK(r.find("refused")->attempts == 2);
  CHECK(r.find("refused")->error.find("backend 'gone': cannot connect to http://127.0.0.1:1") == 0);
}

TEST_CASE("each retry is an event that names the failed attempt, the wait and why") {
  fixture f;
  std::mutex mutex;
  std::vector<run_event> retries;
  auto r = f.engine->run(f.ensemble(agent("flaky", "oa", "flaky-503-2")), "hello model", {},
                         [&](const run_event& e) {
                           if (e.kind == run_event_kind::retry) {
                             std::lock_guard lock{mutex};
                             retries.push_back(e);
                           }
                         });
  CHECK(r.find("flaky")->status == agent_status::success);
  std::lock_guard lock{mutex};
  REQUIRE(retries.size() == 2);
  for (int i = 0; i < 2; ++i) {
    CHECK(retries[i].agent == "flaky");
    CHECK(retries[i].attempt == i + 1);
    CHECK(retries[i].delay_ms > 0);
    CHECK(retries[i].text.find("HTTP 503 from backend 'oa'") == 0);
  }
}

TEST_CASE("a 429 is retried after its Retry-After, in seconds or as a date") {
  fixture f;
  auto r = f.run(agent("seconds", "oa", "fail-429", "timeout_seconds = 20\n") +
                 agent("date", "an", "fail-429-date", "timeout_seconds = 20\n"));
  for (const auto& a : r.agents) {
    INFO(a.name);
    CHECK(a.attempts == 3);
    CHECK(a.error.find("HTTP 429") == 0);
    // Two waits of at least the server's Retry-After (1 s; the date is 2 s ahead, to the
    // second): a lower bound that only a retry that ignored the header could break.
    CHECK(a.duration_ms >= 1900);
  }
}

TEST_CASE("answers that are not what the protocol promises fail clearly") {
  fixture f;
  auto r = f.run(agent("malformed", "oa", "malformed") + agent("shape", "an", "wrong-shape") +
                 agent("huge", "ol", "huge"));
  CHECK(r.find("malformed")->error ==
        "backend 'oa': the response is not the JSON the OpenAI protocol promises (not JSON)");
  CHECK(r.find("shape")->error ==
        "backend 'an': the response is not the JSON the Anthropic protocol promises (no "
        "content array)");
  CHECK(r.find("huge")->error.find("is larger than") != std::string::npos);
  auto cut = f.run(agent("sse", "oa", "reset") + agent("ndjson", "ol", "reset"), true);
  for (const auto& a : cut.agents) {
    INFO(a.name);
    CHECK(a.status == agent_status::failed);
    CHECK(a.error.find("was cut off") != std::string::npos);
  }
}

TEST_CASE("a timed-out agent's connection is closed, the server sees it, and its slot is free") {
  fixture f;
  auto r = f.run(agent("stuck", "local", "stall", "timeout_seconds = 0.3\n") +
                 agent("next", "local", "m"));
  CHECK(r.find("stuck")->status == agent_status::timeout);
  CHECK(r.find("next")->status == agent_status::success);
  CHECK(eventually([&] { return f.local_server.abandoned() == 1; }));
  CHECK(all_slots_returned(*f.engine));
}

TEST_CASE("a local server sees one request at a time while remote ones overlap") {
  fixture f;
  std::string agents = "max_concurrent_agents = 20\n";
  for (int i = 0; i < 4; ++i) {
    agents += agent("local" + std::to_string(i), "local", "sleep-100");
    agents += agent("remote" + std::to_string(i), "oa", "sleep-300");
  }
  auto r = f.run(agents);
  CHECK(r.status == run_status::completed);
  CHECK(f.local_server.of_model("sleep-100").peak_in_flight == 1);
  CHECK(f.server.of_model("sleep-300").peak_in_flight == 4);
}

TEST_CASE("every spelling of one local server is one group: the server sees one request at "
          "a time") {
  mock_server::server server;
  const auto port = std::to_string(server.port());
  const std::vector<std::pair<std::string, std::string>> spellings{
      {"ollama", "http://localhost:" + port},
      {"ollama", "http://127.0.0.1:" + port},
      {"openai", "http://127.0.0.1:" + port + "/v1"},
      {"lmstudio", "http://Localhost:" + port + "/v1"},
      {"ollama", "http://localhost.:" + port},
      {"ollama", "http://127.1:" + port},
      {"openai", "http://[::ffff:127.0.0.1]:" + port + "/v1/"},
  };
  std::string config_text;
  std::string agents = "name = \"spellings\"\nmax_concurrent_agents = 20\n";
  for (std::size_t i = 0; i < spellings.size(); ++i) {
    const auto name = "b" + std::to_string(i);
    config_text += "[backends." + name + "]\nprovider = \"" + spellings[i].first +
                   "\"\nbase_url = \"" + spellings[i].second + "\"\n";
    agents += agent("a" + std::to_string(i), name, "sleep-50");
    agents += agent("z" + std::to_string(i), name, "sleep-50");
  }
  auto config =
      definition::parse_config(config_text, "tutti.toml", definition::fixed_environment({}));
  REQUIRE(config.has_value());
  auto e = definition::parse_ensemble(agents, "spellings.toml");
  REQUIRE(e.has_value());
  auto resolved = definition::resolve(*e, *config);
  REQUIRE(resolved.has_value());
  engine::engine eng{*config};
  auto r = eng.run(*resolved, "go");
  CHECK(r.status == run_status::completed);
  CHECK(server.overall().requests == 2 * spellings.size());
  CHECK(server.overall().peak_in_flight == 1);
  REQUIRE(r.resources.size() == 1);
  CHECK(r.resources[0].id == "http://localhost:" + port);
  CHECK(r.resources[0].peak_active == 1);
  // Spellings that name the host otherwise; case, a trailing dot or a path alone are not.
  CHECK(r.resources[0].spellings ==
        std::vector<std::string>{"http://127.0.0.1:" + port, "http://127.0.0.1:" + port + "/v1",
                                 "http://127.1:" + port,
                                 "http://[::ffff:127.0.0.1]:" + port + "/v1"});
}

TEST_CASE("no key ever appears in results, errors or JSON") {
  fixture f;
  auto r =
      f.run(agent("ok", "oa", "m") + agent("bad", "an", "fail-401") + agent("gone", "gone", "m"));
  auto json = to_json(r);
  CHECK(json.find(planted_key) == std::string::npos);
  CHECK(json.find("authorization") == std::string::npos);
  CHECK(json.find("x-api-key") == std::string::npos);
}

TEST_CASE("an automatic limit asks the server how many models it has loaded") {
  mock_server::server server;
  auto text = "[backends.ollama-auto]\nprovider = \"ollama\"\nbase_url = \"" + server.base_url() +
              "\"\nmax_concurrent = \"auto\"\n[backends.studio-auto]\nprovider = \"lmstudio\"\n"
              "base_url = \"" +
              server.base_url() +
              "/v1\"\nmax_concurrent = \"auto\"\n"
              "exclusive = \"model\"\n";
  auto config = definition::parse_config(text, "tutti.toml", definition::fixed_environment({}));
  REQUIRE(config.has_value());
  engine::engine e{*config};
  std::string agents = "name = \"auto\"\nmax_concurrent_agents = 20\n";
  for (int i = 0; i < 4; ++i) {
    agents += agent("o" + std::to_string(i), "ollama-auto", "sleep-200");
    agents += agent("s" + std::to_string(i), "studio-auto", "sleep-201");
  }
  auto ensemble = definition::parse_ensemble(agents, "auto.toml");
  REQUIRE(ensemble.has_value());
  auto r = e.run(definition::resolve(*ensemble, *config).value(), "go");
  CHECK(r.status == run_status::completed);
  // The mock server lists two models in Ollama's /api/ps and one loaded in LM Studio's list.
  CHECK(server.of_model("sleep-200").peak_in_flight == 2);
  CHECK(server.of_model("sleep-201").peak_in_flight == 1);
  auto stats = e.statistics();
  for (const auto& g : stats.groups) {
    INFO(g.id);
    CHECK(g.is_auto_limit);
    CHECK(g.note.find("models loaded") != std::string::npos);
  }
}

TEST_CASE("an automatic limit falls back to one when the server cannot be asked") {
  auto config = definition::parse_config(
      "[backends.nowhere]\nprovider = \"ollama\"\nbase_url = \"http://127.0.0.1:1\"\n"
      "max_concurrent = \"auto\"\nmax_attempts = 1\n",
      "tutti.toml", definition::fixed_environment({}));
  REQUIRE(config.has_value());
  engine::engine e{*config};
  auto ensemble =
      definition::parse_ensemble("name = \"x\"\n" + agent("a", "nowhere", "m"), "x.toml");
  REQUIRE(ensemble.has_value());
  e.run(definition::resolve(*ensemble, *config).value(), "go");
  std::string note;
  CHECK(eventually([&] { return !(note = e.statistics().groups.at(0).note).empty(); }));
  CHECK(note.find("cannot ask the server (cannot connect to http://127.0.0.1:1") == 0);
  CHECK(e.statistics().groups.at(0).is_auto_limit);
  CHECK(e.statistics().groups.at(0).limit == 1);
}

TEST_CASE("the mock server listens on loopback unless told otherwise") {
  mock_server::server server;
  CHECK(server.base_url().rfind("http://127.0.0.1:", 0) == 0);
  CHECK(mock_server::server_settings{}.host == "127.0.0.1");
}

TEST_CASE("the mock server closes a connection whose client asked it to") {
  mock_server::server server;
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket{io};
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), server.port()});
  const std::string body = R"({"model":"m","messages":[{"role":"user","content":"hi"}]})";
  boost::asio::write(socket, boost::asio::buffer("POST /v1/chat/completions HTTP/1.1\r\n"
                                                 "Host: x\r\nConnection: close\r\n"
                                                 "Content-Length: " +
                                                 std::to_string(body.size()) + "\r\n\r\n" + body));
  std::string response;
  boost::system::error_code ec;
  boost::asio::read(socket, boost::asio::dynamic_buffer(response), ec); // until end of file
  CHECK(ec == boost::asio::error::eof);
  CHECK(response.find("echo: hi") != std::string::npos);
}
