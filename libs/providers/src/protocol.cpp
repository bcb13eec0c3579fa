#include <tutti/definition/agent_output.hpp>
#include <tutti/definition/server_url.hpp>
#include <tutti/providers/protocol.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

namespace tutti::providers {
namespace {

using json = nlohmann::json;

constexpr std::size_t max_quoted_body = 200;

json messages_of(const completion_request& r, bool with_system) {
  json messages = json::array();
  if (with_system && !r.system_prompt.empty()) {
    messages.push_back({{"role", "system"}, {"content", r.system_prompt}});
  }
  messages.push_back({{"role", "user"}, {"content", r.prompt}});
  return messages;
}

std::vector<std::pair<std::string, std::string>> json_headers() {
  return {{"content-type", "application/json"}, {"accept", "application/json"}};
}

completion_result malformed(std::string_view protocol_name, std::string_view why) {
  completion_result r;
  r.error = "the response is not the JSON the " + std::string{protocol_name} +
            " protocol promises (" + std::string{why} + ")";
  return r;
}

// Parses without throwing; a discarded value means the text is not JSON.
json parse(std::string_view text) {
  return json::parse(text, nullptr, false);
}

// A server's JSON is untrusted, and nlohmann's value() and get() throw when a field has
// another type than asked for; these walk it without throwing: null (nullptr) for a missing
// field, an index beyond an array, or a step through a value that is not an object or array.
const json* member(const json* j, const char* key) {
  if (j == nullptr || !j->is_object()) {
    return nullptr;
  }
  auto found = j->find(key);
  return found == j->end() ? nullptr : &*found;
}

const json* first_element(const json* j) {
  return j != nullptr && j->is_array() && !j->empty() ? &j->front() : nullptr;
}

std::optional<std::string> text_of(const json* j) {
  return j != nullptr && j->is_string() ? std::optional{j->get<std::string>()} : std::nullopt;
}

std::optional<std::int64_t> count_at(const json* j, const char* key) {
  auto found = member(j, key);
  return found != nullptr && found->is_number_integer() ? std::optional{found->get<std::int64_t>()}
                                                        : std::nullopt;
}

// A JSON POST carrying the key, if any, as a bearer token (OpenAI's and Ollama's way).
http_call bearer_post(std::string target, const call_settings& s, const json& body) {
  auto headers = json_headers();
  if (!s.api_key.empty()) {
    headers.emplace_back("authorization", "Bearer " + s.api_key);
  }
  return {std::move(target), "POST", std::move(headers), definition::json_text(body)};
}

http_call bearer_get(std::string target, const call_settings& s) {
  auto call = bearer_post(std::move(target), s, json::object());
  call.method = "GET";
  call.body.clear();
  return call;
}

// The `name_key` of every object in the array `list_key` of a JSON body.
std::optional<std::vector<std::string>> names_in(std::string_view body, const char* list_key,
                                                 const char* name_key) {
  auto j = parse(body);
  const auto* list = member(&j, list_key);
  if (list == nullptr || !list->is_array()) {
    return std::nullopt;
  }
  std::vector<std::string> names;
  for (const auto& item : *list) {
    if (const auto* name = member(&item, name_key); name != nullptr && name->is_string()) {
      names.push_back(name->get<std::string>());
    }
  }
  return names;
}

// A stream event's JSON object; nullopt, with the piece's error set, when the event is not
// JSON or carries the provider's error.
std::optional<json> event_object(std::string_view data, stream_piece& piece) {
  auto j = parse(data);
  if (j.is_discarded() || !j.is_object()) {
    piece.error = "a stream event is not JSON";
    piece.error_code = call_errc::bad_response;
    return std::nullopt;
  }
  if (j.contains("error")) {
    piece.error = error_message_of(data);
    piece.error_code = stream_error_code(data);
    return std::nullopt;
  }
  return j;
}

class openai_protocol final : public protocol {
 public:
  http_call list_models(const call_settings& s) const override {
    return bearer_get(s.base_path + "/v1/models", s);
  }
  std::optional<std::vector<std::string>> parse_models(std::string_view body) const override {
    return names_in(body, "data", "id");
  }
  http_call build(const completion_request& r, const call_settings& s) const override {
    json body{{"model", r.model}, {"messages", messages_of(r, true)}, {"stream", s.stream}};
    if (r.temperature) {
      body["temperature"] = *r.temperature;
    }
    if (r.max_tokens) {
      body["max_tokens"] = *r.max_tokens;
    }
    if (r.json_schema) {
      body["response_format"] = {{"type", "json_schema"},
                                 {"json_schema", {{"name", "output"}, {"schema", *r.json_schema}}}};
    } else if (r.json_output) {
      body["response_format"] = {{"type", "json_object"}};
    }
    if (s.stream) {
      body["stream_options"] = {{"include_usage", true}};
    }
    return bearer_post(s.base_path + "/v1/chat/completions", s, body);
  }

  completion_result parse_body(std::string_view body) const override {
    auto j = parse(body);
    if (j.is_discarded()) {
      return malformed("OpenAI", "not JSON");
    }
    auto content =
        text_of(member(member(first_element(member(&j, "choices")), "message"), "content"));
    if (!content) {
      return malformed("OpenAI", "no choices[0].message.content");
    }
    completion_result r;
    r.code = call_errc::none;
    r.text = std::move(*content);
    auto usage = member(&j, "usage");
    r.usage = {count_at(usage, "prompt_tokens"), count_at(usage, "completion_tokens")};
    return r;
  }

  stream_framing framing() const override { return stream_framing::sse; }

  stream_piece parse_event(std::string_view, std::string_view data) const override {
    stream_piece piece;
    if (data == "[DONE]") {
      piece.is_end = true;
      return piece;
    }
    auto j = event_object(data, piece);
    if (!j) {
      return piece;
    }
    piece.text = text_of(member(member(first_element(member(&*j, "choices")), "delta"), "content"))
                     .value_or("");
    if (auto usage = member(&*j, "usage"); usage != nullptr && usage->is_object()) {
      piece.input_tokens = count_at(usage, "prompt_tokens");
      piece.output_tokens = count_at(usage, "completion_tokens");
    }
    return piece;
  }
};

class anthropic_protocol final : public protocol {
 public:
  http_call list_models(const call_settings& s) const override {
    http_call call{s.base_path + "/v1/models", "GET", json_headers(), {}};
    call.headers.emplace_back("anthropic-version", "2023-06-01");
    if (!s.api_key.empty()) {
      call.headers.emplace_back("x-api-key", s.api_key);
    }
    return call;
  }
  std::optional<std::vector<std::string>> parse_models(std::string_view body) const override {
    return names_in(body, "data", "id");
  }
  http_call build(const completion_request& r, const call_settings& s) const override {
    auto messages = messages_of(r, false);
    if (const auto begun = json_prefill(definition::provider_kind::anthropic, r); !begun.empty()) {
      messages.push_back({{"role", "assistant"}, {"content", begun}});
    }
    json body{{"model", r.model},
              {"max_tokens", r.max_tokens.value_or(s.default_max_tokens)},
              {"messages", std::move(messages)},
              {"stream", s.stream}};
    if (!r.system_prompt.empty()) {
      body["system"] = r.system_prompt;
    }
    if (r.temperature) {
      body["temperature"] = *r.temperature;
    }
    auto headers = json_headers();
    headers.emplace_back("anthropic-version", "2023-06-01");
    if (!s.api_key.empty()) {
      headers.emplace_back("x-api-key", s.api_key);
    }
    return {s.base_path + "/v1/messages", "POST", std::move(headers), definition::json_text(body)};
  }

  completion_result parse_body(std::string_view body) const override {
    auto j = parse(body);
    if (j.is_discarded() || !j.is_object()) {
      return malformed("Anthropic", "not JSON");
    }
    auto content = j.find("content");
    if (content == j.end() || !content->is_array()) {
      return malformed("Anthropic", "no content array");
    }
    completion_result r;
    r.code = call_errc::none;
    for (const auto& block : *content) {
      if (text_of(member(&block, "type")) == "text") {
        r.text += text_of(member(&block, "text")).value_or("");
      }
    }
    auto usage = member(&j, "usage");
    r.usage = {count_at(usage, "input_tokens"), count_at(usage, "output_tokens")};
    return r;
  }

  stream_framing framing() const override { return stream_framing::sse; }

  stream_piece parse_event(std::string_view event, std::string_view data) const override {
    stream_piece piece;
    if (event == "ping") {
      return piece;
    }
    if (event == "message_stop") {
      piece.is_end = true;
      return piece;
    }
    auto j = parse(data);
    if (j.is_discarded() || !j.is_object()) {
      piece.error = "a stream event is not JSON";
      piece.error_code = call_errc::bad_response;
      return piece;
    }
    if (event == "error" || text_of(member(&j, "type")) == "error") {
      piece.error = error_message_of(data);
      piece.error_code = stream_error_code(data);
    } else if (event == "message_start") {
      piece.input_tokens = count_at(member(member(&j, "message"), "usage"), "input_tokens");
    } else if (event == "content_block_delta") {
      piece.text = text_of(member(member(&j, "delta"), "text")).value_or("");
    } else if (event == "message_delta") {
      piece.output_tokens = count_at(member(&j, "usage"), "output_tokens");
    }
    return piece;
  }
};

class ollama_protocol final : public protocol {
 public:
  http_call list_models(const call_settings& s) const override {
    return bearer_get(s.base_path + "/api/tags", s);
  }
  std::optional<std::vector<std::string>> parse_models(std::string_view body) const override {
    return names_in(body, "models", "name");
  }
  http_call build(const completion_request& r, const call_settings& s) const override {
    json body{{"model", r.model}, {"messages", messages_of(r, true)}, {"stream", s.stream}};
    json options = json::object();
    if (r.temperature) {
      options["temperature"] = *r.temperature;
    }
    if (r.max_tokens) {
      options["num_predict"] = *r.max_tokens;
    }
    if (!options.empty()) {
      body["options"] = std::move(options);
    }
    if (r.json_schema) {
      body["format"] = *r.json_schema;
    } else if (r.json_output) {
      body["format"] = "json";
    }
    return bearer_post(s.base_path + "/api/chat", s, body);
  }

  completion_result parse_body(std::string_view body) const override {
    auto j = parse(body);
    if (j.is_discarded() || !j.is_object()) {
      return malformed("Ollama", "not JSON");
    }
    auto content = text_of(member(member(&j, "message"), "content"));
    if (!content) {
      return malformed("Ollama", "no message.content");
    }
    completion_result r;
    r.code = call_errc::none;
    r.text = std::move(*content);
    r.usage = {count_at(&j, "prompt_eval_count"), count_at(&j, "eval_count")};
    return r;
  }

  stream_framing framing() const override { return stream_framing::ndjson; }

  stream_piece parse_event(std::string_view, std::string_view data) const override {
    stream_piece piece;
    auto j = event_object(data, piece);
    if (!j) {
      return piece;
    }
    piece.text = text_of(member(member(&*j, "message"), "content")).value_or("");
    if (auto done = member(&*j, "done"); done != nullptr && *done == true) {
      piece.is_end = true;
      piece.input_tokens = count_at(&*j, "prompt_eval_count");
      piece.output_tokens = count_at(&*j, "eval_count");
    }
    return piece;
  }
};

} // namespace

std::string_view json_prefill(definition::provider_kind p, const completion_request& r) {
  const auto& schema = r.json_schema;
  const bool wants_object =
      r.json_output && (!schema || (schema->contains("type") ? schema->value("type", "") == "object"
                                                             : schema->contains("properties") ||
                                                                   schema->contains("required")));
  return p == definition::provider_kind::anthropic && wants_object ? "{" : "";
}

std::unique_ptr<protocol> protocol_for(definition::provider_kind p) {
  switch (p) {
  case definition::provider_kind::openai:
  case definition::provider_kind::lmstudio:
    return std::make_unique<openai_protocol>();
  case definition::provider_kind::anthropic:
    return std::make_unique<anthropic_protocol>();
  case definition::provider_kind::ollama:
    return std::make_unique<ollama_protocol>();
  case definition::provider_kind::mock:
  case definition::provider_kind::process:
    break;
  }
  return nullptr;
}

std::string error_message_of(std::string_view body) {
  auto j = parse(body);
  auto error = member(&j, "error");
  if (auto message = text_of(error)) {
    return *message;
  }
  if (auto message = text_of(member(error, "message"))) {
    return *message;
  }
  std::string quoted{body.substr(0, max_quoted_body)};
  return quoted.empty() ? std::string{"(empty body)"} : quoted;
}

call_errc stream_error_code(std::string_view data) {
  auto j = parse(data);
  auto error = member(&j, "error");
  auto type = text_of(member(error, "type")).value_or(text_of(member(error, "code")).value_or(""));
  std::transform(type.begin(), type.end(), type.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  auto has = [&](std::string_view word) { return type.find(word) != std::string::npos; };
  if (has("overloaded")) {
    return call_errc::overloaded;
  }
  if (has("rate_limit")) {
    return call_errc::rate_limited;
  }
  if (has("authentication") || has("permission")) {
    return call_errc::unauthorized;
  }
  if (has("invalid_request") || has("not_found") || has("request_too_large")) {
    return call_errc::rejected;
  }
  return call_errc::server_error;
}

std::string base_path_of(std::string_view base_url) {
  auto url = definition::parse_server_url(base_url);
  std::string path = url ? url->path.substr(0, url->path.find_first_of("?#")) : std::string{};
  while (!path.empty() && path.back() == '/') {
    path.pop_back();
  }
  if (path.size() >= 3 && path.compare(path.size() - 3, 3, "/v1") == 0) {
    path.erase(path.size() - 3);
  }
  return path;
}

} // namespace tutti::providers
