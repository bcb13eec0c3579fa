// Agents that must answer JSON (output_format = "json", output_schema = {...}) and agents given a
// field of their first dependency's output (input_key), in whole runs on a provider that answers
// what each test scripts. Assertions are about requests, outputs and statuses, never time.
#include "support/ensemble_text.hpp"
#include "support/run_lookup.hpp"

#include <tutti/engine/engine.hpp>
#include <tutti/providers/provider.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <deque>
#include <mutex>

using namespace tutti::engine;
using nlohmann::json;
using tutti::test::agent;
using tutti::test::default_config;
using tutti::test::ensemble_from;

namespace {

namespace providers = tutti::providers;

// Answers each call with the next of its replies (the last one again when they run out), and
// keeps every request it was sent.
class scripted_provider final : public providers::provider {
 public:
  explicit scripted_provider(std::vector<std::string> replies) : replies_(std::move(replies)) {}

  providers::cancel_call start(providers::completion_request request, providers::token_callback,
                               providers::completion_callback done) override {
    providers::completion_result result;
    result.code = providers::call_errc::none;
    result.usage = {10, 5};
    {
      std::lock_guard lock{mutex_};
      result.text = replies_.at(std::min(requests_.size(), replies_.size() - 1));
      requests_.push_back(std::move(request));
    }
    done(std::move(result));
    return [] {};
  }

  std::vector<providers::completion_request> requests() const {
    std::lock_guard lock{mutex_};
    return requests_;
  }

 private:
  std::vector<std::string> replies_;
  mutable std::mutex mutex_;
  std::vector<providers::completion_request> requests_;
};

// One agent on `provider` (an Ollama or Anthropic model) with `keys`, and a dependant that
// runs only when the agent's answer says ok.
std::string asking(const std::string& provider, const std::string& keys) {
  return R"(
name = "structured"
[[agents]]
name = "a"
provider = ")" +
         provider +
         R"("
model = "m"
)" + keys +
         R"(
[[agents]]
name = "next"
provider = "mock"
depends_on = ["a"]
when = "${a.ok}"
prompt = "{agents.a}"
mock = { reply = "{prompt}" }
)";
}

const std::string schema =
    R"(output_schema = { type = "object", required = ["ok"], properties = { ok = { type = "boolean" } } })";

} // namespace

TEST_CASE("an answer that matches output_schema is the agent's output as JSON text, which "
          "dependants and conditions read") {
  auto model = std::make_shared<scripted_provider>(
      std::vector<std::string>{"```json\n{ \"ok\": true,  \"note\": \"fine\" }\n```"});
  engine e{default_config()};
  e.register_provider("ollama", model);
  auto r = e.run(ensemble_from(asking("ollama", schema)), "go");
  CHECK(agent(r, "a").status == agent_status::success);
  CHECK(agent(r, "a").response == R"({"note":"fine","ok":true})");
  CHECK(agent(r, "next").status == agent_status::success);
  CHECK(agent(r, "next").response == R"({"note":"fine","ok":true})");
  const auto requests = model->requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].json_output);
  REQUIRE(requests[0].json_schema);
  CHECK(requests[0].json_schema->at("required") == json::array({"ok"}));
  CHECK(requests[0].prompt.find("Answer with only a JSON value that matches this JSON Schema") !=
        std::string::npos);
}

TEST_CASE("an answer that does not match is asked for again once, told why") {
  auto model = std::make_shared<scripted_provider>(
      std::vector<std::string>{R"({"ok": "yes"})", R"({"ok": false})"});
  engine e{default_config()};
  e.register_provider("ollama", model);
  auto r = e.run(ensemble_from(asking("ollama", schema)), "go");
  const auto& a = agent(r, "a");
  CHECK(a.status == agent_status::success);
  CHECK(a.response == R"({"ok":false})");
  CHECK(a.attempts == 2);
  CHECK(a.usage.input_tokens == 20); // both answers' usage
  CHECK(agent(r, "next").status == agent_status::skipped);
  CHECK(agent(r, "next").skipped_by_condition);
  const auto requests = model->requests();
  REQUIRE(requests.size() == 2);
  CHECK(requests[1].prompt.find("Your previous answer was:\n{\"ok\": \"yes\"}") !=
        std::string::npos);
  CHECK(requests[1].prompt.find("$.ok: expected a boolean, got \"yes\"") != std::string::npos);
}

TEST_CASE("a second answer that does not match fails the agent with invalid_output and the "
          "reason") {
  auto model = std::make_shared<scripted_provider>(std::vector<std::string>{"sure, here it is"});
  engine e{default_config()};
  e.register_provider("ollama", model);
  auto r = e.run(ensemble_from(asking("ollama", "output_format = \"json\"")), "go");
  const auto& a = agent(r, "a");
  CHECK(a.status == agent_status::failed);
  REQUIRE(a.error_code);
  CHECK(*a.error_code == tutti::providers::call_errc::invalid_output);
  CHECK(a.error.find(R"(the answer is not JSON (it begins: "sure, here it is"), after the model )"
                     "was asked again") != std::string::npos);
  CHECK(model->requests().size() == 2);
  CHECK_FALSE(model->requests()[0].json_schema);
}

TEST_CASE("on Anthropic, whose answer is begun with {, the answer read is the object whole") {
  auto model = std::make_shared<scripted_provider>(std::vector<std::string>{R"("ok": true})"});
  engine e{default_config()};
  e.register_provider("anthropic", model);
  auto r = e.run(ensemble_from(asking("anthropic", schema)), "go");
  CHECK(agent(r, "a").status == agent_status::success);
  CHECK(agent(r, "a").response == R"({"ok":true})");
}

TEST_CASE("input_key gives an agent a field of its first dependency's JSON output") {
  engine e{default_config()};
  auto r = e.run(ensemble_from(R"(
name = "pick"
[[agents]]
name = "facts"
provider = "mock"
mock = { reply = '{"summary": "short", "items": [1, 2]}' }
[[agents]]
name = "text"
provider = "mock"
depends_on = ["facts"]
input_key = "summary"
prompt = "{agents.facts}"
mock = { reply = "{prompt}" }
[[agents]]
name = "list"
provider = "mock"
depends_on = ["facts"]
input_key = "items"
prompt = "{agents.facts}"
mock = { reply = "{prompt}" }
[[agents]]
name = "missing"
provider = "mock"
depends_on = ["facts"]
input_key = "sumary"
)"),
                 "go");
  CHECK(agent(r, "text").response == "short");
  CHECK(agent(r, "list").response == "[1,2]");
  const auto& missing = agent(r, "missing");
  CHECK(missing.status == agent_status::failed);
  REQUIRE(missing.error_code);
  CHECK(*missing.error_code == tutti::providers::call_errc::input_key_failed);
  CHECK(missing.error ==
        "input_key: 'sumary' of the output of 'facts': it has no field 'sumary' (its fields: "
        "items, summary)");
}

TEST_CASE("a fan-out agent with input_key splits that field of its dependency's output") {
  engine e{default_config()};
  auto r = e.run(ensemble_from(R"(
name = "pick"
[[agents]]
name = "facts"
provider = "mock"
mock = { reply = '{"items": ["a", "b"]}' }
[[agents]]
name = "each"
provider = "mock"
depends_on = ["facts"]
fan_out = true
input_key = "items"
mock = { reply = "{prompt}!" }
)"),
                 "go");
  CHECK(json::parse(agent(r, "each").response) == json::array({"a!", "b!"}));
}

TEST_CASE("a script agent reads its parameters and each dependency's response in its JSON "
          "input") {
  engine e{default_config()};
  auto r = e.run(ensemble_from(R"(
name = "params"
[[agents]]
name = "first"
provider = "mock"
mock = { reply = "hello" }
[[agents]]
name = "tool"
script = ["cat"]
script_input = "json"
parameters = { depth = 2, mode = "fast" }
depends_on = ["first"]
)"),
                 "go");
  const auto input = json::parse(agent(r, "tool").response);
  CHECK(input.at("parameters") == json{{"depth", 2}, {"mode", "fast"}});
  CHECK(input.at("context") == json::object());
  CHECK(input.at("dependencies").at("first").at("response") == "hello");
}
