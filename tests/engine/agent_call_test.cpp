#include "agent_call.hpp"

#include <catch2/catch.hpp>

using namespace std::chrono_literals;
using tutti::engine::agent_call;
using tutti::providers::call_errc;
using tutti::providers::completion_result;
using kind = agent_call::step::kind;

namespace {

const auto t0 = agent_call::clock::time_point{} + 1h;

completion_result failure(call_errc code,
                          std::optional<std::chrono::milliseconds> retry_after = {}) {
  completion_result r;
  r.code = code;
  r.error = "HTTP 429 from backend 'b': slow down";
  r.retry_after = retry_after;
  return r;
}

completion_result success() {
  completion_result r;
  r.code = call_errc::none;
  r.text = "answer";
  return r;
}

agent_call make_call(int attempts = 3) {
  tutti::providers::retry_settings retry;
  retry.max_attempts = attempts;
  return agent_call{1000ms, retry};
}

} // namespace

TEST_CASE("a call's deadline starts at its admission, whatever it waited") {
  auto call = make_call();
  CHECK(call.begin(t0).what == kind::acquire);
  auto s = call.admitted(t0 + 10s);
  CHECK(s.what == kind::call);
  CHECK(s.time_left == 1000ms);
  CHECK(call.deadline() == t0 + 10s + 1000ms);
  CHECK(call.queued() == 10s);
  CHECK(call.answered(success(), t0 + 10s + 400ms, 0.5).what == kind::done);
  CHECK(call.result().is_success());
  CHECK(call.attempts() == 1);
}

TEST_CASE("a retryable failure gives the slot back, waits as the server asks, then queues again") {
  auto call = make_call();
  call.begin(t0);
  call.admitted(t0);
  auto s = call.answered(failure(call_errc::rate_limited, 300ms), t0 + 100ms, 0.5);
  CHECK(s.what == kind::wait);
  CHECK(s.delay == 300ms);
  CHECK(s.release == call_errc::rate_limited);
  CHECK(call.waited(t0 + 400ms).what == kind::acquire);
  auto again = call.admitted(t0 + 450ms);
  CHECK(again.what == kind::call);
  CHECK(again.time_left == 550ms); // one deadline for every attempt
  CHECK(call.queued() == 50ms);
  auto done = call.answered(success(), t0 + 500ms, 0.5);
  CHECK(done.what == kind::done);
  CHECK(done.release == call_errc::none);
  CHECK(call.attempts() == 2);
}

TEST_CASE("a Retry-After longer than the time left fails at once, saying so") {
  auto call = make_call();
  call.begin(t0);
  call.admitted(t0);
  auto s = call.answered(failure(call_errc::rate_limited, 100'000s), t0 + 100ms, 0.5);
  CHECK(s.what == kind::done);
  CHECK(s.release == call_errc::rate_limited);
  CHECK(call.result().code == call_errc::rate_limited);
  CHECK(call.result().error.find("HTTP 429 from backend 'b': slow down (it asks to retry after") ==
        0);
  CHECK(call.attempts() == 1);
}

TEST_CASE("what may have reached the server, or will fail the same way, is not tried again") {
  for (auto code : {call_errc::connection_lost, call_errc::timeout, call_errc::rejected,
                    call_errc::unauthorized, call_errc::bad_response}) {
    auto call = make_call();
    call.begin(t0);
    call.admitted(t0);
    CHECK(call.answered(failure(code), t0 + 1ms, 0.5).what == kind::done);
    CHECK(call.attempts() == 1);
  }
}

TEST_CASE("after the last attempt the error says how many there were") {
  auto call = make_call(2);
  call.begin(t0);
  call.admitted(t0);
  REQUIRE(call.answered(failure(call_errc::server_error), t0 + 1ms, 0.0).what == kind::wait);
  call.waited(t0 + 400ms);
  call.admitted(t0 + 400ms);
  auto s = call.answered(failure(call_errc::server_error), t0 + 500ms, 0.0);
  CHECK(s.what == kind::done);
  CHECK(call.result().error == "HTTP 429 from backend 'b': slow down (after 2 attempts)");
}

TEST_CASE("a refused request ends the call with no attempt and nothing to give back") {
  auto call = make_call();
  call.begin(t0);
  auto s = call.refused(call_errc::server_down, "the server is down");
  CHECK(s.what == kind::done);
  CHECK_FALSE(s.release);
  CHECK(call.attempts() == 0);
  CHECK(call.result().code == call_errc::server_down);
}

// The HTTP exchange is bounded by the time the agent has left, so it may see the agent's
// timeout before the phase does; either way the agent says the same thing.
TEST_CASE("a transport timeout at the end of the agent's time is the agent's timeout") {
  auto call = make_call(1);
  call.begin(t0);
  auto s = call.admitted(t0);
  auto out = failure(call_errc::timeout);
  out.error = "no complete response within 1000 ms";
  call.answered(out, t0 + s.time_left, 0.5);
  CHECK(call.result().code == call_errc::timeout);
  CHECK(call.result().error == "no reply within the agent's timeout of 1 s");
}

TEST_CASE("a transport timeout before the agent's time is up keeps its own words") {
  auto call = make_call(1);
  call.begin(t0);
  call.admitted(t0);
  auto out = failure(call_errc::timeout);
  out.error = "cannot connect within 300 ms";
  call.answered(out, t0 + 300ms, 0.5);
  CHECK(call.result().error == "cannot connect within 300 ms");
}
