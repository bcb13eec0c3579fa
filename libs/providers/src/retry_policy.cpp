#include <tutti/providers/retry_policy.hpp>

#include <algorithm>
#include <charconv>
#include <ctime>
#include <string>

namespace tutti::providers {

bool is_retryable_status(int status) {
  return status == 408 || status == 429 || (status >= 500 && status <= 599);
}

std::optional<std::chrono::milliseconds>
parse_retry_after(std::string_view value, std::chrono::system_clock::time_point now) {
  while (!value.empty() && value.front() == ' ') {
    value.remove_prefix(1);
  }
  long long seconds = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ec == std::errc{} && end == value.data() + value.size() && seconds >= 0) {
    return std::chrono::seconds{seconds};
  }
  // The IMF-fixdate of RFC 9110, the only HTTP date form servers send today.
  std::tm tm{};
  const std::string text{value};
  const char* rest = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (rest == nullptr || *rest != '\0') {
    return std::nullopt;
  }
  auto at = std::chrono::system_clock::from_time_t(timegm(&tm));
  auto delay = std::chrono::duration_cast<std::chrono::milliseconds>(at - now);
  return std::max(delay, std::chrono::milliseconds{0});
}

std::chrono::milliseconds backoff_delay(int failed_attempts, const retry_settings& s,
                                        double jitter) {
  auto delay = s.first_delay;
  for (int i = 1; i < failed_attempts && delay < s.max_delay; ++i) {
    delay *= 2;
  }
  delay = std::min(delay, s.max_delay);
  const double scale = 0.5 + 0.5 * std::clamp(jitter, 0.0, 1.0);
  return std::chrono::milliseconds{
      static_cast<long long>(static_cast<double>(delay.count()) * scale)};
}

} // namespace tutti::providers
