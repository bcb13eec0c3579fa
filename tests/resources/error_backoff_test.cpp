#include <tutti/resources/error_backoff.hpp>

#include <catch2/catch.hpp>

using namespace tutti::resources;
using std::chrono::milliseconds;
using gate = error_backoff::gate;

namespace {

const time_point t0{};

} // namespace

TEST_CASE("three transient failures in a row pause admissions, then one probe goes through") {
  error_backoff b;
  b.record(true, t0);
  b.record(true, t0);
  CHECK(b.current_gate(t0) == gate::open);
  b.record(true, t0);
  CHECK(b.current_gate(t0) == gate::closed);
  CHECK(b.state(t0) == "paused");
  CHECK(b.paused_until() == t0 + milliseconds{1000});
  CHECK(b.current_gate(t0 + milliseconds{999}) == gate::closed);
  CHECK(b.current_gate(t0 + milliseconds{1000}) == gate::probe);
  b.probe_started();
  CHECK(b.current_gate(t0 + milliseconds{1000}) == gate::closed);
  CHECK(b.state(t0 + milliseconds{1000}) == "probing");
}

TEST_CASE("a failed probe doubles the pause up to the maximum, a success ends it") {
  error_backoff b{{3, milliseconds{1000}, milliseconds{3000}}};
  for (int i = 0; i < 3; ++i) {
    b.record(true, t0);
  }
  auto now = t0 + milliseconds{1000};
  b.probe_started();
  b.record(true, now);
  CHECK(b.paused_until() == now + milliseconds{2000});
  now += milliseconds{2000};
  b.probe_started();
  b.record(true, now);
  CHECK(b.paused_until() == now + milliseconds{3000}); // capped
  now += milliseconds{3000};
  b.probe_started();
  b.record(false, now);
  CHECK(b.current_gate(now) == gate::open);
  CHECK(b.state(now) == "ok");
  CHECK(b.consecutive_failures() == 0);
}

TEST_CASE("a success or a non-transient failure resets the count of failures") {
  error_backoff b;
  b.record(true, t0);
  b.record(true, t0);
  b.record(false, t0);
  b.record(true, t0);
  b.record(true, t0);
  CHECK(b.current_gate(t0) == gate::open);
}
