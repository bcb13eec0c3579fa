#include <tutti/providers/retry_policy.hpp>

#include <catch2/catch.hpp>

using namespace tutti::providers;
using namespace std::chrono_literals;

TEST_CASE("408, 429 and 5xx are retried, other statuses are not") {
  for (int status : {408, 429, 500, 502, 503, 504, 599}) {
    CHECK(is_retryable_status(status));
  }
  for (int status : {200, 400, 401, 403, 404, 422, 600}) {
    CHECK_FALSE(is_retryable_status(status));
  }
}

TEST_CASE("Retry-After is read as seconds or as an HTTP date") {
  auto now = std::chrono::system_clock::from_time_t(1445412480); // Wed, 21 Oct 2015 07:28:00 GMT
  CHECK(parse_retry_after("120", now) == 120s);
  CHECK(parse_retry_after(" 0", now) == 0s);
  CHECK(parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now) == 30s);
  CHECK(parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now) == 0ms);
  CHECK_FALSE(parse_retry_after("soon", now).has_value());
  CHECK_FALSE(parse_retry_after("-5", now).has_value());
  CHECK_FALSE(parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT trailing", now).has_value());
}

TEST_CASE("the backoff doubles per attempt up to the maximum, with jitter in its upper half") {
  retry_settings s{5, 500ms, 3000ms};
  CHECK(backoff_delay(1, s, 1.0) == 500ms);
  CHECK(backoff_delay(2, s, 1.0) == 1000ms);
  CHECK(backoff_delay(3, s, 1.0) == 2000ms);
  CHECK(backoff_delay(4, s, 1.0) == 3000ms);
  CHECK(backoff_delay(9, s, 1.0) == 3000ms);
  CHECK(backoff_delay(2, s, 0.0) == 500ms);
  CHECK(backoff_delay(2, s, 0.5) == 750ms);
}
