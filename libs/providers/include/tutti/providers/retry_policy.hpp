// When to try a failed call again and how long to wait: 408, 429, 5xx and dropped connections
// are retried with exponential backoff and jitter, honouring Retry-After. Pure: clocks and
// randomness are passed in.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace tutti::providers {

struct retry_settings {
  int max_attempts = 3;
  std::chrono::milliseconds first_delay{500};
  std::chrono::milliseconds max_delay{8000};
};

/// 408 (timeout), 429 (rate limit) and 5xx: the server may answer next time. Other 4xx will
/// not change by asking again.
bool is_retryable_status(int status);

/// Retry-After as seconds ("120") or an HTTP date ("Wed, 21 Oct 2015 07:28:00 GMT"), as a delay
/// from `now`; nullopt when it is neither. A date in the past is no delay.
std::optional<std::chrono::milliseconds>
parse_retry_after(std::string_view value, std::chrono::system_clock::time_point now);

/// The wait before attempt `failed_attempts + 1`: first_delay doubling per attempt up to
/// max_delay, scaled by `jitter` in [0, 1) into its upper half, so that clients that failed
/// together do not return together.
std::chrono::milliseconds backoff_delay(int failed_attempts, const retry_settings& s,
                                        double jitter);

} // namespace tutti::providers
