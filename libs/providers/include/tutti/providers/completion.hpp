// What an agent asks a model for, and what comes back.
#pragma once

#include <tutti/definition/model_settings.hpp>
#include <tutti/providers/call_error.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tutti::providers {

/// The tokens a call took, as the backend reported them; a count it did not report is
/// unknown, which is not the same as none.
struct token_usage {
  std::optional<std::int64_t> input_tokens;
  std::optional<std::int64_t> output_tokens;

  bool is_known() const { return input_tokens || output_tokens; }
  /// Adds `other`'s counts: a count either reported is known in the sum.
  void add(const token_usage& other) {
    if (other.input_tokens) {
      input_tokens = input_tokens.value_or(0) + *other.input_tokens;
    }
    if (other.output_tokens) {
      output_tokens = output_tokens.value_or(0) + *other.output_tokens;
    }
  }
};

struct completion_request {
  std::string agent;
  std::string model;
  std::string system_prompt;
  std::string prompt;
  std::optional<double> temperature;
  std::optional<int> max_tokens;
  definition::mock_settings mock; // read by the mock provider only
  // Read by the script provider only: the program and its arguments, and where it runs.
  std::vector<std::string> script;
  std::string working_directory;
  // JSON asked for (output_format, output_schema): through the protocol's JSON mode, where it
  // has one, with the schema when there is one.
  bool json_output = false;
  std::optional<nlohmann::json> json_schema;
  /// The longest the call may take, from now: connect, every wait for bytes and the whole
  /// exchange end by then. Zero: the provider's own defaults.
  std::chrono::milliseconds time_left{0};
};

/// One attempt's result. A provider makes one attempt per call; whether to try again is the
/// agent's call to make (it gives its slot back while it waits).
struct completion_result {
  call_errc code = call_errc::bad_response; // none when it succeeded
  std::string text;                         // the response, when it succeeded
  std::string error;                        // what went wrong, otherwise
  token_usage usage;
  std::optional<std::chrono::milliseconds> retry_after; // what the server asked for, if anything

  bool is_success() const { return code == call_errc::none; }
};

/// An attempt that failed with `code`, saying what went wrong.
inline completion_result failed_completion(call_errc code, std::string error) {
  completion_result r;
  r.code = code;
  r.error = std::move(error);
  return r;
}

} // namespace tutti::providers
