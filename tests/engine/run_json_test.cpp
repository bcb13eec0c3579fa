#include <tutti/engine/run_json.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace tutti::engine;

namespace {

run_result sample() {
  run_result r;
  r.ensemble = "code-review";
  r.status = run_status::partial;
  r.input = "def add";
  r.elapsed_ms = 412.5;
  r.max_concurrent_agents = 10;
  r.phases = {{"security", "style"}, {"synthesis"}};
  agent_result ok;
  ok.name = "security";
  ok.status = agent_status::success;
  ok.response = "fine";
  ok.provider = "mock";
  ok.model = "mock";
  ok.backend = "mock";
  ok.group = "mock";
  ok.queued_ms = 0.0;
  ok.started_ms = 0.3;
  ok.finished_ms = 201.2;
  ok.duration_ms = 200.9;
  ok.attempts = 1;
  ok.usage = {12, 30};
  agent_result failed = ok;
  failed.name = "style";
  failed.status = agent_status::failed;
  failed.error = "boom";
  agent_result skipped;
  skipped.name = "synthesis";
  skipped.phase = 1;
  skipped.error = "dependency 'style' failed";
  r.agents = {ok, failed, skipped};
  return r;
}

} // namespace

TEST_CASE("the JSON result has the documented shape") {
  auto j = nlohmann::json::parse(to_json(sample()));
  CHECK(j["ensemble"] == "code-review");
  CHECK(j["status"] == "partial");
  CHECK(j["input"] == "def add");
  CHECK(j["elapsed_ms"] == 412.5);
  CHECK(j["mode"] == "parallel");
  CHECK(j["scheduling"] == "phased");
  CHECK(j["max_concurrent_agents"] == 10);
  CHECK(j["phases"] == nlohmann::json::parse(R"([["security","style"],["synthesis"]])"));
  const auto& security = j["agents"]["security"];
  for (auto key : {"status", "response", "error", "provider", "model", "backend", "group", "phase",
                   "queued_ms", "started_ms", "finished_ms", "duration_ms", "attempts", "usage"}) {
    INFO(key);
    CHECK(security.contains(key));
  }
  CHECK(security["status"] == "success");
  CHECK(security["response"] == "fine");
  CHECK(security["error"].is_null());
  CHECK(security["phase"] == 0);
  CHECK(security["started_ms"] == 0.3);
  CHECK(security["usage"]["input_tokens"] == 12);
  CHECK(security["usage"]["output_tokens"] == 30);
  CHECK(j["agents"]["style"]["response"].is_null());
  CHECK(j["agents"]["style"]["error"] == "boom");
  const auto& synthesis = j["agents"]["synthesis"];
  CHECK(synthesis["status"] == "skipped");
  CHECK(synthesis["started_ms"].is_null());
  CHECK(synthesis["error"] == "dependency 'style' failed");
}

TEST_CASE("agents appear in definition order and invalid UTF-8 does not break the document") {
  auto r = sample();
  r.agents[0].response = std::string("bad \xff byte");
  auto text = to_json(r);
  CHECK(text.find("\"security\"") < text.find("\"style\""));
  CHECK(text.find("\"style\"") < text.find("\"synthesis\": {"));
  CHECK_NOTHROW(nlohmann::json::parse(text));
}

TEST_CASE("the document written agent by agent is laid out as one JSON tree dumped at once") {
  auto r = sample();
  r.agents[0].response = "two\nlines, a \"quote\", a tab\t and \xc3\xa9";
  r.agents[1].retry_waits = {{1.5, 2.5}, {3.0, 4.0}};
  tutti::resources::group_statistics g;
  g.id = "mock";
  g.spellings = {"a", "b"};
  r.resources = {g};
  using tree = nlohmann::ordered_json;
  for (int indent : {-1, 0, 2, 4}) {
    INFO(indent);
    const auto text = to_json(r, indent);
    CHECK(text == tree::parse(text).dump(indent));
  }
  r.agents.clear();
  r.phases.clear();
  for (int indent : {-1, 2}) {
    const auto text = to_json(r, indent);
    CHECK(text == tree::parse(text).dump(indent));
  }
}

TEST_CASE("a printed result reads back and prints the same, and other text does not read") {
  auto r = sample();
  r.id = "20261126-215506-3fa9c2";
  r.resumed_from = "20261125-101010-000001";
  r.agents[0].reused = true;
  r.agents[0].profile = "fast";
  r.agents[1].error_code = tutti::providers::call_errc::rate_limited;
  tutti::resources::group_statistics g;
  g.id = "http://localhost:11434";
  g.spellings = {"http://127.0.0.1:11434/v1"};
  g.is_unlimited = true;
  g.wait_p95_ms = 1.25;
  r.resources = {g};
  g.id = "run";
  g.is_unlimited = false;
  g.limit = 4;
  r.caps = {g};
  const auto printed = to_json(r);
  auto read = run_result_from_json(printed);
  REQUIRE(read);
  CHECK(to_json(*read) == printed);
  CHECK(read->agents[0].reused);
  CHECK(read->agents[1].error_code == tutti::providers::call_errc::rate_limited);
  CHECK(read->agents[2].status == agent_status::skipped);
  CHECK(read->resources[0].is_unlimited);
  CHECK(read->caps[0].limit == 4);

  CHECK_FALSE(run_result_from_json("not json"));
  CHECK_FALSE(run_result_from_json(R"({"id": "x"})"));
  auto wrong = nlohmann::json::parse(printed);
  wrong["agents"]["style"]["status"] = "exploded";
  CHECK_FALSE(run_result_from_json(wrong.dump()));
}

TEST_CASE("each kind of run event prints on one line and reads back the same") {
  std::vector<run_event> events(6);
  events[0].kind = run_event_kind::queued;
  events[1].kind = run_event_kind::waiting;
  events[1].group = "ollama@http://localhost:11434";
  events[1].ahead = 3;
  events[2].kind = run_event_kind::started;
  events[3].kind = run_event_kind::token;
  events[3].text = "line one\nline \"two\"";
  events[4].kind = run_event_kind::retry;
  events[4].attempt = 2;
  events[4].delay_ms = 750;
  events[4].text = "HTTP 503 from backend 'b'";
  events[5].kind = run_event_kind::finished;
  events[5].status = agent_status::timeout;
  for (auto& e : events) {
    e.agent = "critic";
    e.at_ms = 12.5;
    auto text = to_json(e);
    INFO(text);
    CHECK(text.find('\n') == std::string::npos);
    auto back = run_event_from_json(text);
    REQUIRE(back.has_value());
    CHECK(to_json(*back) == text);
    CHECK(back->kind == e.kind);
  }
  CHECK_FALSE(run_event_from_json(R"({"kind":"sung","agent":"a","at_ms":1})").has_value());
  CHECK_FALSE(run_event_from_json("not json").has_value());
}
