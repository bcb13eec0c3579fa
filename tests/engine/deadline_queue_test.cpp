#include "deadline_queue.hpp"

#include <catch2/catch.hpp>

using tutti::engine::deadline_queue;
using namespace std::chrono_literals;

TEST_CASE("deadlines expire earliest first, and removed ones never") {
  deadline_queue q;
  const auto t0 = deadline_queue::clock::time_point{} + 1h;
  q.add(1, t0 + 30ms);
  q.add(2, t0 + 10ms);
  q.add(3, t0 + 20ms);
  q.add(4, t0 + 10ms);
  CHECK(q.earliest() == t0 + 10ms);
  q.remove(4);
  q.remove(99);
  CHECK(q.take_expired(t0).empty());
  CHECK(q.take_expired(t0 + 20ms) == std::vector<std::uint64_t>{2, 3});
  CHECK(q.size() == 1);
  CHECK(q.earliest() == t0 + 30ms);
  q.add(1, t0 + 50ms); // a new deadline replaces the old
  CHECK(q.take_expired(t0 + 40ms).empty());
  CHECK(q.take_expired(t0 + 50ms) == std::vector<std::uint64_t>{1});
  CHECK_FALSE(q.earliest().has_value());
}
