// What each wire protocol (OpenAI chat completions, Anthropic messages, Ollama chat) puts in a
// request and how to read its response, whole or streamed. No I/O here: the HTTP client sends
// what build() describes and hands the bytes back.
#pragma once

#include <tutti/definition/provider_kind.hpp>
#include <tutti/providers/completion.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tutti::providers {

/// One HTTP request, as a protocol describes it. The headers may hold a key: never print them.
struct http_call {
  std::string target;          // path and query, e.g. "/v1/chat/completions"
  std::string method = "POST"; // "GET", "PUT", "DELETE", ...; a body goes with any
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct call_settings {
  std::string base_path; // the path part of the backend's base URL, without a trailing "/v1"
  std::string api_key;   // empty: send none
  bool stream = false;
  int default_max_tokens = 1024; // for protocols that require max_tokens
};

/// What one stream event carries.
struct stream_piece {
  std::string text;
  std::optional<std::int64_t> input_tokens;
  std::optional<std::int64_t> output_tokens;
  bool is_end = false;
  std::optional<std::string> error;
  call_errc error_code = call_errc::none; // what the error is, when there is one
};

enum class stream_framing { sse, ndjson };

class protocol {
 public:
  virtual ~protocol() = default;
  virtual http_call build(const completion_request& request, const call_settings& s) const = 0;
  /// A whole (non-streamed) success body: the text and usage, or an error saying what is wrong
  /// with the body.
  virtual completion_result parse_body(std::string_view body) const = 0;
  virtual stream_framing framing() const = 0;
  /// One stream event: `event` is the SSE event name (empty for NDJSON), `data` its data.
  virtual stream_piece parse_event(std::string_view event, std::string_view data) const = 0;
  /// The request that lists the server's models (never a completion), and the names in its
  /// answer; nullopt when the body is no such list.
  virtual http_call list_models(const call_settings& s) const = 0;
  virtual std::optional<std::vector<std::string>> parse_models(std::string_view body) const = 0;
};

/// What the request begins the model's answer with, for JSON output on a protocol without a
/// JSON mode: "{" for Anthropic's (prefilled as the assistant's turn) when an object is asked
/// for, which the answer's text then lacks; else nothing.
std::string_view json_prefill(definition::provider_kind p, const completion_request& r);

/// The protocol a provider speaks (lmstudio speaks OpenAI's); nullptr for the mock.
std::unique_ptr<protocol> protocol_for(definition::provider_kind p);

/// The provider's own message from an error response body, or the start of the body.
std::string error_message_of(std::string_view body);

/// What an error event inside a 200 stream means, from its type ("overloaded_error",
/// "rate_limit_error", "server_error", ...), as its HTTP equivalent would: a stream that fails
/// after it began is the server failing unless the event says otherwise.
call_errc stream_error_code(std::string_view data);

/// The path of a base URL, without a trailing "/" or "/v1" (so "http://h/v1" and "http://h"
/// both reach "http://h/v1/chat/completions").
std::string base_path_of(std::string_view base_url);

} // namespace tutti::providers
