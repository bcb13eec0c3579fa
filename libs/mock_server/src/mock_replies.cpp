#include "mock_replies.hpp"

#include <tutti/providers/mock_provider.hpp>

namespace tutti::mock_server {
namespace {

using json = nlohmann::json;

std::vector<std::string> words_of(const std::string& text) {
  std::vector<std::string> pieces;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find(' ', start);
    end = end == std::string::npos ? text.size() : end + 1;
    pieces.push_back(text.substr(start, end - start));
    start = end;
  }
  return pieces;
}

std::string chunk(const std::string& data) {
  char size[20];
  std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  return size + data + "\r\n";
}

std::string streamed(const std::string& content_type, const std::vector<std::string>& events) {
  std::string out =
      "HTTP/1.1 200 OK\r\nContent-Type: " + content_type + "\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (const auto& e : events) {
    out += chunk(e);
  }
  return out + "0\r\n\r\n";
}

std::string sse(const json& data, const std::string& event = "") {
  return (event.empty() ? "" : "event: " + event + "\n") + "data: " + data.dump() + "\n\n";
}

} // namespace

bool parse_chat_request(wire protocol, const std::string& body, parsed_request& out) {
  auto j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("model") || !j["model"].is_string() ||
      !j.contains("messages") || !j["messages"].is_array()) {
    return false;
  }
  out.protocol = protocol;
  out.model = j["model"].get<std::string>();
  out.stream = j.value("stream", false);
  for (const auto& m : j["messages"]) {
    if (m.contains("content") && m["content"].is_string()) {
      const auto text = m["content"].get<std::string>();
      out.input_words += providers::mock_token_count(text);
      if (m.value("role", "") == "user") {
        out.last_user_message = text;
      }
    }
  }
  if (j.contains("system") && j["system"].is_string()) {
    out.input_words += providers::mock_token_count(j["system"].get<std::string>());
  }
  return true;
}

std::string http_response(int status, const std::string& content_type, const std::string& body,
                          const std::string& extra_headers) {
  return "HTTP/1.1 " + std::to_string(status) + " Mock\r\nContent-Type: " + content_type + "\r\n" +
         extra_headers + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

std::string error_response(wire protocol, int status, const std::string& extra_headers) {
  const std::string message = "mock failure " + std::to_string(status);
  json body =
      protocol == wire::ollama
          ? json{{"error", message}}
          : json{{"type", "error"}, {"error", {{"type", "mock_error"}, {"message", message}}}};
  return http_response(status, "application/json", body.dump(), extra_headers);
}

std::string models_response(wire protocol) {
  json models = json::array();
  for (const auto* name : {"echo", "sleep-250", "fail-503"}) {
    models.push_back(protocol == wire::ollama ? json{{"name", name}, {"model", name}}
                                              : json{{"id", name}, {"object", "model"}});
  }
  const json body = protocol == wire::ollama ? json{{"models", models}}
                                             : json{{"object", "list"}, {"data", models}};
  return http_response(200, "application/json", body.dump());
}

std::string echo_response(const parsed_request& r) {
  const std::string reply = "echo: " + r.last_user_message;
  const auto out_words = providers::mock_token_count(reply);
  const auto pieces = words_of(reply);
  switch (r.protocol) {
  case wire::openai: {
    const json usage{{"prompt_tokens", r.input_words},
                     {"completion_tokens", out_words},
                     {"total_tokens", r.input_words + out_words}};
    if (!r.stream) {
      json body{{"id", "chatcmpl-mock"},
                {"object", "chat.completion"},
                {"model", r.model},
                {"choices",
                 {{{"index", 0},
                   {"message", {{"role", "assistant"}, {"content", reply}}},
                   {"finish_reason", "stop"}}}},
                {"usage", usage}};
      return http_response(200, "application/json", body.dump());
    }
    std::vector<std::string> events;
    for (const auto& p : pieces) {
      events.push_back(sse({{"choices", {{{"index", 0}, {"delta", {{"content", p}}}}}}}));
    }
    events.push_back(sse({{"choices", json::array()}, {"usage", usage}}));
    events.push_back("data: [DONE]\n\n");
    return streamed("text/event-stream", events);
  }
  case wire::anthropic: {
    // The message as Anthropic's Messages API sends it: whole, or (streamed) empty in
    // message_start, which the official SDK then fills from the events that follow.
    auto message = [&](json content, json stop_reason, int output_tokens) {
      return json{{"id", "msg_mock"},
                  {"type", "message"},
                  {"role", "assistant"},
                  {"model", r.model},
                  {"content", std::move(content)},
                  {"stop_reason", std::move(stop_reason)},
                  {"stop_sequence", nullptr},
                  {"usage", {{"input_tokens", r.input_words}, {"output_tokens", output_tokens}}}};
    };
    if (!r.stream) {
      return http_response(
          200, "application/json",
          message({{{"type", "text"}, {"text", reply}}}, "end_turn", out_words).dump());
    }
    std::vector<std::string> events{
        sse({{"type", "message_start"}, {"message", message(json::array(), nullptr, 0)}},
            "message_start"),
        sse({{"type", "content_block_start"},
             {"index", 0},
             {"content_block", {{"type", "text"}, {"text", ""}}}},
            "content_block_start"),
        "event: ping\ndata: {\"type\": \"ping\"}\n\n"};
    for (const auto& p : pieces) {
      events.push_back(sse({{"type", "content_block_delta"},
                            {"index", 0},
                            {"delta", {{"type", "text_delta"}, {"text", p}}}},
                           "content_block_delta"));
    }
    events.push_back(sse({{"type", "content_block_stop"}, {"index", 0}}, "content_block_stop"));
    events.push_back(sse({{"type", "message_delta"},
                          {"delta", {{"stop_reason", "end_turn"}, {"stop_sequence", nullptr}}},
                          {"usage", {{"output_tokens", out_words}}}},
                         "message_delta"));
    events.push_back(sse({{"type", "message_stop"}}, "message_stop"));
    return streamed("text/event-stream", events);
  }
  case wire::ollama: {
    json last{{"model", r.model},
              {"message", {{"role", "assistant"}, {"content", r.stream ? "" : reply}}},
              {"done", true},
              {"prompt_eval_count", r.input_words},
              {"eval_count", out_words}};
    if (!r.stream) {
      return http_response(200, "application/json", last.dump());
    }
    std::vector<std::string> lines;
    for (const auto& p : pieces) {
      lines.push_back(json{{"model", r.model},
                           {"message", {{"role", "assistant"}, {"content", p}}},
                           {"done", false}}
                          .dump() +
                      "\n");
    }
    lines.push_back(last.dump() + "\n");
    return streamed("application/x-ndjson", lines);
  }
  }
  return "";
}

} // namespace tutti::mock_server
