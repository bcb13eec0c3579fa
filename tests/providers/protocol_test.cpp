// Each protocol against recorded request and response bodies.
#include <tutti/providers/protocol.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace tutti::providers;
using tutti::definition::provider_kind;
using json = nlohmann::json;

namespace {

completion_request request() {
  completion_request r;
  r.model = "m1";
  r.system_prompt = "Be brief.";
  r.prompt = "Hi";
  r.temperature = 0.2;
  r.max_tokens = 50;
  return r;
}

std::string header(const http_call& c, const std::string& name) {
  for (const auto& [key, value] : c.headers) {
    if (key == name) {
      return value;
    }
  }
  return "";
}

} // namespace

TEST_CASE("OpenAI: chat completions with a bearer key, options and usage") {
  auto p = protocol_for(provider_kind::openai);
  auto call = p->build(request(), {"/api", "sk-1", true, 1024});
  CHECK(call.target == "/api/v1/chat/completions");
  CHECK(header(call, "authorization") == "Bearer sk-1");
  auto body = json::parse(call.body);
  CHECK(body["model"] == "m1");
  CHECK(body["messages"][0] == json{{"role", "system"}, {"content", "Be brief."}});
  CHECK(body["messages"][1] == json{{"role", "user"}, {"content", "Hi"}});
  CHECK(body["temperature"] == 0.2);
  CHECK(body["max_tokens"] == 50);
  CHECK(body["stream"] == true);
  CHECK(body["stream_options"]["include_usage"] == true);
  CHECK(header(p->build(request(), {"", "", false, 1024}), "authorization").empty());

  auto r = p->parse_body(R"({"id":"x","choices":[{"index":0,"message":{"role":"assistant",
    "content":"Hello!"},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":3}})");
  CHECK(r.is_success());
  CHECK(r.text == "Hello!");
  CHECK(r.usage.input_tokens == 9);
  CHECK(r.usage.output_tokens == 3);

  CHECK(p->parse_event("", R"({"choices":[{"delta":{"content":"Hel"}}]})").text == "Hel");
  auto usage =
      p->parse_event("", R"({"choices":[],"usage":{"prompt_tokens":9,"completion_tokens":3}})");
  CHECK(usage.output_tokens == 3);
  CHECK(p->parse_event("", "[DONE]").is_end);
  CHECK(p->framing() == stream_framing::sse);
}

TEST_CASE("Anthropic: messages with x-api-key, a top-level system and max_tokens always sent") {
  auto p = protocol_for(provider_kind::anthropic);
  auto plain = request();
  plain.max_tokens.reset();
  auto call = p->build(plain, {"", "key-2", false, 777});
  CHECK(call.target == "/v1/messages");
  CHECK(header(call, "x-api-key") == "key-2");
  CHECK(header(call, "anthropic-version") == "2023-06-01");
  CHECK(header(call, "authorization").empty());
  auto body = json::parse(call.body);
  CHECK(body["system"] == "Be brief.");
  CHECK(body["max_tokens"] == 777);
  CHECK(body["messages"].size() == 1);

  auto r = p->parse_body(R"({"id":"msg","type":"message","role":"assistant","content":[
    {"type":"text","text":"Hi "},{"type":"text","text":"there"}],"usage":{"input_tokens":12,
    "output_tokens":4}})");
  CHECK(r.text == "Hi there");
  CHECK(r.usage.input_tokens == 12);

  CHECK(p->parse_event("message_start",
                       R"({"type":"message_start","message":{"usage":{"input_tokens":12}}})")
            .input_tokens == 12);
  CHECK(
      p->parse_event("content_block_delta",
                     R"({"type":"content_block_delta","delta":{"type":"text_delta","text":"Hi"}})")
          .text == "Hi");
  CHECK(p->parse_event("message_delta", R"({"type":"message_delta","usage":{"output_tokens":4}})")
            .output_tokens == 4);
  CHECK(p->parse_event("message_stop", R"({"type":"message_stop"})").is_end);
  CHECK(p->parse_event("error", R"({"type":"error","error":{"type":"overloaded_error",
    "message":"Overloaded"}})")
            .error == "Overloaded");
}

TEST_CASE("Ollama: /api/chat with options, NDJSON stream and eval counts") {
  auto p = protocol_for(provider_kind::ollama);
  auto call = p->build(request(), {"", "", true, 1024});
  CHECK(call.target == "/api/chat");
  auto body = json::parse(call.body);
  CHECK(body["options"]["temperature"] == 0.2);
  CHECK(body["options"]["num_predict"] == 50);
  auto r = p->parse_body(R"({"model":"m1","message":{"role":"assistant","content":"Yo"},
    "done":true,"prompt_eval_count":7,"eval_count":2})");
  CHECK(r.text == "Yo");
  CHECK(r.usage.input_tokens == 7);
  CHECK(r.usage.output_tokens == 2);
  CHECK(p->parse_event("", R"({"message":{"content":"Y"},"done":false})").text == "Y");
  auto last = p->parse_event("", R"({"message":{"content":""},"done":true,"eval_count":2})");
  CHECK(last.is_end);
  CHECK(last.output_tokens == 2);
  CHECK(p->framing() == stream_framing::ndjson);
  CHECK(protocol_for(provider_kind::lmstudio)->framing() == stream_framing::sse);
}

TEST_CASE("bodies that are not what a protocol promises are errors that say so") {
  for (auto kind : {provider_kind::openai, provider_kind::anthropic, provider_kind::ollama}) {
    auto p = protocol_for(kind);
    CHECK_FALSE(p->parse_body("<html>502 Bad Gateway</html>").is_success());
    CHECK(p->parse_body("<html>").error.find("is not the JSON the") != std::string::npos);
    CHECK_FALSE(p->parse_body(R"({"unexpected":true})").is_success());
    CHECK(p->parse_event("content_block_delta", "{not json").error.has_value());
  }
}

// Found by fuzzing: fields of another type than the protocol's made the JSON library throw.
TEST_CASE("fields of the wrong type are malformed answers, not exceptions") {
  auto openai = protocol_for(provider_kind::openai);
  CHECK(openai->parse_body(R"({"choices":"s"})").error.find("choices[0]") != std::string::npos);
  CHECK(openai->parse_body(R"({"choices":[{"message":{"content":"ok"}}],"usage":7})").text == "ok");
  CHECK(openai->parse_event("", R"({"choices":{"0":1},"usage":[]})").text.empty());
  auto anthropic = protocol_for(provider_kind::anthropic);
  CHECK(anthropic->parse_body(R"({"content":[1,{"type":2},{"type":"text","text":"a"}]})").text ==
        "a");
  // A count of the wrong type is not reported: unknown, not zero.
  CHECK_FALSE(anthropic->parse_event("message_start", R"({"type":3,"message":[]})").input_tokens);
  auto ollama = protocol_for(provider_kind::ollama);
  CHECK_FALSE(ollama->parse_event("", R"({"done":"m"})").is_end);
  CHECK_FALSE(ollama->parse_event("", R"({"done":true,"eval_count":"3"})").output_tokens);
  CHECK(error_message_of(R"({"error":{"message":5}})") == R"({"error":{"message":5}})");
}

TEST_CASE("a prompt that is not UTF-8 is sent with replacement characters") {
  auto r = request();
  r.prompt = "caf\xe9 \xff";
  for (auto kind : {provider_kind::openai, provider_kind::anthropic, provider_kind::ollama}) {
    auto body = json::parse(protocol_for(kind)->build(r, {}).body);
    CHECK(body["messages"].back()["content"] == "caf\ufffd \ufffd");
  }
}

TEST_CASE("an error event inside a 200 stream is classified like its HTTP equivalent") {
  using tutti::providers::call_errc;
  using tutti::providers::stream_error_code;
  CHECK(stream_error_code(R"({"type":"error","error":{"type":"overloaded_error"}})") ==
        call_errc::overloaded);
  CHECK(stream_error_code(R"({"error":{"type":"rate_limit_error","message":"x"}})") ==
        call_errc::rate_limited);
  CHECK(stream_error_code(R"({"error":{"code":"rate_limit_exceeded","message":"x"}})") ==
        call_errc::rate_limited);
  CHECK(stream_error_code(R"({"error":{"type":"api_error"}})") == call_errc::server_error);
  CHECK(stream_error_code(R"({"error":{"type":"invalid_request_error"}})") == call_errc::rejected);
  CHECK(stream_error_code(R"({"error":{"type":"authentication_error"}})") ==
        call_errc::unauthorized);
  CHECK(stream_error_code(R"({"error":"the model crashed"})") == call_errc::server_error);
  auto anthropic = protocol_for(provider_kind::anthropic);
  auto piece = anthropic->parse_event(
      "error", R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})");
  CHECK(piece.error_code == call_errc::overloaded);
  auto openai = protocol_for(provider_kind::openai);
  CHECK(openai->parse_event("", "not json").error_code == call_errc::bad_response);
}

TEST_CASE("error bodies yield the provider's message") {
  CHECK(error_message_of(R"({"error":{"message":"Invalid API key","type":"auth"}})") ==
        "Invalid API key");
  CHECK(error_message_of(R"({"error":"model 'x' not found"})") == "model 'x' not found");
  CHECK(error_message_of("plain text") == "plain text");
  CHECK(error_message_of("") == "(empty body)");
}

TEST_CASE("a base URL's path is kept, without a trailing /v1") {
  CHECK(base_path_of("https://api.openai.com").empty());
  CHECK(base_path_of("http://localhost:8080/v1") == "");
  CHECK(base_path_of("http://localhost:8080/v1/") == "");
  CHECK(base_path_of("https://openrouter.ai/api") == "/api");
  CHECK(base_path_of("https://openrouter.ai/api/v1") == "/api");
}

TEST_CASE("each protocol lists its server's models with a GET carrying the key, never a "
          "completion") {
  call_settings s;
  s.base_path = "/proxy";
  s.api_key = "k";
  auto header = [](const http_call& c, const std::string& name) {
    for (const auto& [key, value] : c.headers) {
      if (key == name) {
        return value;
      }
    }
    return std::string{};
  };
  auto openai = protocol_for(provider_kind::openai);
  auto listed = openai->list_models(s);
  CHECK(listed.method == "GET");
  CHECK(listed.target == "/proxy/v1/models");
  CHECK(listed.body.empty());
  CHECK(header(listed, "authorization") == "Bearer k");
  CHECK(openai->parse_models(R"({"data":[{"id":"gpt-4o"},{"id":"o3"}]})") ==
        std::vector<std::string>{"gpt-4o", "o3"});
  CHECK_FALSE(openai->parse_models("<html>"));
  auto anthropic = protocol_for(provider_kind::anthropic);
  CHECK(header(anthropic->list_models(s), "x-api-key") == "k");
  CHECK(header(anthropic->list_models(s), "anthropic-version") == "2023-06-01");
  auto ollama = protocol_for(provider_kind::ollama);
  CHECK(ollama->list_models(s).target == "/proxy/api/tags");
  CHECK(ollama->parse_models(R"({"models":[{"name":"llama3.2:latest"}]})") ==
        std::vector<std::string>{"llama3.2:latest"});
}

TEST_CASE(
    "JSON output goes through each protocol's JSON mode, with the schema where it takes one") {
  auto r = request();
  r.json_output = true;
  const auto body = [&](provider_kind p) {
    return json::parse(protocol_for(p)->build(r, {"", "", false, 1024}).body);
  };
  CHECK(body(provider_kind::openai)["response_format"] == json{{"type", "json_object"}});
  CHECK(body(provider_kind::ollama)["format"] == "json");
  auto anthropic = body(provider_kind::anthropic)["messages"];
  REQUIRE(anthropic.size() == 2);
  CHECK(anthropic[1] == json{{"role", "assistant"}, {"content", "{"}});
  CHECK(json_prefill(provider_kind::anthropic, r) == "{");
  CHECK(json_prefill(provider_kind::openai, r).empty());

  r.json_schema = json{{"type", "array"}, {"items", {{"type", "string"}}}};
  CHECK(body(provider_kind::lmstudio)["response_format"] ==
        json{{"type", "json_schema"},
             {"json_schema", {{"name", "output"}, {"schema", *r.json_schema}}}});
  CHECK(body(provider_kind::ollama)["format"] == *r.json_schema);
  // An array cannot be begun with "{": Anthropic is asked in words only.
  CHECK(body(provider_kind::anthropic)["messages"].size() == 1);
  CHECK(json_prefill(provider_kind::anthropic, r).empty());

  r.json_output = false;
  r.json_schema.reset();
  CHECK_FALSE(body(provider_kind::openai).contains("response_format"));
  CHECK_FALSE(body(provider_kind::ollama).contains("format"));
}
