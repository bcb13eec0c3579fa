// What an agent asks a model for, and what comes back.
#pragma once

#include <tutti/definition/model_settings.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace tutti::providers {

struct token_usage {
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
};

struct completion_request {
  std::string agent;
  std::string model;
  std::string system_prompt;
  std::string prompt;
  std::optional<double> temperature;
  std::optional<int> max_tokens;
  definition::mock_settings mock; // read by the mock provider only
};

struct completion_result {
  bool is_success = false;
  std::string text;                  // the response, when is_success
  std::string error;                 // what went wrong, otherwise
  bool is_transient_failure = false; // a connection error or 5xx: counts toward backoff
  token_usage usage;
  int attempts = 1;
};

} // namespace tutti::providers
