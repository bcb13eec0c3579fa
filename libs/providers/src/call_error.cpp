#include <tutti/providers/call_error.hpp>

namespace tutti::providers {

std::string_view to_string(call_errc e) {
  switch (e) {
  case call_errc::none:
    return "none";
  case call_errc::unreachable:
    return "unreachable";
  case call_errc::connection_lost:
    return "connection_lost";
  case call_errc::timeout:
    return "timeout";
  case call_errc::rate_limited:
    return "rate_limited";
  case call_errc::overloaded:
    return "overloaded";
  case call_errc::server_error:
    return "server_error";
  case call_errc::rejected:
    return "rejected";
  case call_errc::unauthorized:
    return "unauthorized";
  case call_errc::bad_response:
    return "bad_response";
  case call_errc::too_large:
    return "too_large";
  case call_errc::cancelled:
    return "cancelled";
  case call_errc::queue_timeout:
    return "queue_timeout";
  case call_errc::server_down:
    return "server_down";
  case call_errc::script_failed:
    return "script_failed";
  case call_errc::fan_out_failed:
    return "fan_out_failed";
  case call_errc::nested_failed:
    return "nested_failed";
  case call_errc::invalid_output:
    return "invalid_output";
  case call_errc::input_key_failed:
    return "input_key_failed";
  }
  return "unknown";
}

std::optional<call_errc> call_errc_named(std::string_view name) {
  for (int i = 0; i <= static_cast<int>(call_errc::input_key_failed); ++i) {
    if (to_string(static_cast<call_errc>(i)) == name) {
      return static_cast<call_errc>(i);
    }
  }
  return std::nullopt;
}

bool is_retryable(call_errc e) {
  switch (e) {
  case call_errc::unreachable:
  case call_errc::rate_limited:
  case call_errc::overloaded:
  case call_errc::server_error:
    return true;
  default:
    return false;
  }
}

bool is_server_failure(call_errc e) {
  switch (e) {
  case call_errc::unreachable:
  case call_errc::connection_lost:
  case call_errc::overloaded:
  case call_errc::server_error:
    return true;
  default:
    return false;
  }
}

} // namespace tutti::providers
