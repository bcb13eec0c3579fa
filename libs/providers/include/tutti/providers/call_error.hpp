// What can become of one model call, as one code that every layer passes on unchanged: the
// provider that saw it, the agent's call that decides on a retry, the resource group that
// counts it and the result a person reads.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace tutti::providers {

enum class call_errc : std::int8_t {
  none,             // it succeeded
  unreachable,      // no connection (refused, no such host, TLS failed): the request never left
  connection_lost,  // the connection broke after the request went out
  timeout,          // the call's deadline passed
  rate_limited,     // HTTP 429, or a rate-limit error event in a stream
  overloaded,       // HTTP 503 or 529, or an overloaded error event in a stream
  server_error,     // another 5xx (or 408), or a server error event in a stream
  rejected,         // another 4xx: the request itself is wrong
  unauthorized,     // 401 or 403, or no key to send
  bad_response,     // a body or stream the protocol cannot read, or a stream cut short
  too_large,        // a prompt, request or response over its limit
  cancelled,        // the run was cancelled, or the deadline of the ensemble passed
  queue_timeout,    // the agent waited longer than queue_timeout_seconds for its group
  server_down,      // the group's server is down and the agent's time runs out before its probe
  script_failed,    // a script agent's program could not start, exited non-zero or was killed
  fan_out_failed,   // a fan-out agent's dependency gave an output it cannot split into items
  nested_failed,    // the ensemble an agent runs (or a loop's iteration) gave no final output
  invalid_output,   // the model's answer is not the JSON asked for, even when asked again
  input_key_failed, // the first dependency's output has no such JSON field (input_key)
};

std::string_view to_string(call_errc e);
/// The code that to_string names `name`; nullopt for any other text.
std::optional<call_errc> call_errc_named(std::string_view name);

/// Whether asking again may help: the server was unreachable, or answered that it is busy or
/// broken for now. Nothing that may have reached the server unanswered is retried (a POST
/// that a server may have acted on is never sent twice), nor what will fail the same way.
bool is_retryable(call_errc e);

/// Whether the failure says the server itself is in trouble, so that its group backs off.
bool is_server_failure(call_errc e);

} // namespace tutti::providers
