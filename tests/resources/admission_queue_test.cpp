#include <tutti/resources/admission_queue.hpp>

#include <catch2/catch.hpp>

using namespace tutti::resources;
using std::chrono::milliseconds;
using tutti::definition::concurrency_limit;

namespace {

const time_point t0{};
using tickets = std::vector<ticket>;

} // namespace

TEST_CASE("a local server busy with X lets Z (priority 8) in before Y (priority 3)") {
  admission_queue q{concurrency_limit::at_most(1)};
  q.enqueue(1, 5, t0); // X
  CHECK(q.admit(t0) == tickets{1});
  q.enqueue(2, 3, t0); // Y
  q.enqueue(3, 8, t0); // Z
  CHECK(q.admit(t0).empty());
  CHECK(q.pending() == 2);
  CHECK(q.ahead_of(2) == 1);
  CHECK(q.ahead_of(3) == 0);
  CHECK(q.release(1));
  CHECK(q.admit(t0) == tickets{3});
  CHECK(q.release(3));
  CHECK(q.admit(t0) == tickets{2});
  CHECK(q.release(2));
  CHECK(q.active() == 0);
  CHECK(q.pending() == 0);
}

TEST_CASE("requests of the same priority leave oldest first") {
  admission_queue q{concurrency_limit::at_most(1)};
  for (ticket t = 1; t <= 4; ++t) {
    q.enqueue(t, 5, t0);
  }
  CHECK(q.waiting_in_order() == tickets{1, 2, 3, 4});
  tickets order;
  for (int i = 0; i < 4; ++i) {
    auto admitted = q.admit(t0);
    REQUIRE(admitted.size() == 1);
    order.push_back(admitted[0]);
    q.release(admitted[0]);
  }
  CHECK(order == tickets{1, 2, 3, 4});
}

TEST_CASE("an unlimited group admits everything at once") {
  admission_queue q{concurrency_limit::unlimited()};
  for (ticket t = 1; t <= 100; ++t) {
    q.enqueue(t, 5, t0);
  }
  CHECK(q.admit(t0).size() == 100);
  CHECK(q.has_free_slot());
}

TEST_CASE("raising the limit admits waiting requests at once, lowering it admits no more") {
  admission_queue q{concurrency_limit::at_most(1)};
  for (ticket t = 1; t <= 5; ++t) {
    q.enqueue(t, 5, t0);
  }
  CHECK(q.admit(t0).size() == 1);
  q.set_limit(concurrency_limit::at_most(3));
  CHECK(q.admit(t0) == tickets{2, 3});
  q.set_limit(concurrency_limit::at_most(2));
  q.release(1);
  CHECK(q.admit(t0).empty()); // still 2 active: 2 and 3
  q.release(2);
  CHECK(q.admit(t0) == tickets{4});
}

TEST_CASE("a withdrawn request leaves the queue and a request is released only once") {
  admission_queue q{concurrency_limit::at_most(1)};
  q.enqueue(1, 5, t0);
  q.enqueue(2, 5, t0);
  q.admit(t0);
  CHECK(q.withdraw(2));
  CHECK_FALSE(q.withdraw(2));
  CHECK(q.pending() == 0);
  CHECK(q.release(1));
  CHECK_FALSE(q.release(1));
  CHECK_FALSE(q.withdraw(1));
}

TEST_CASE("waiting times are measured from enqueue to admission") {
  admission_queue q{concurrency_limit::at_most(1)};
  q.enqueue(1, 5, t0);
  q.enqueue(2, 5, t0);
  q.enqueue(3, 5, t0);
  q.admit(t0);
  q.release(1);
  q.admit(t0 + milliseconds{100});
  q.release(2);
  q.admit(t0 + milliseconds{400});
  auto w = q.waits();
  CHECK(w.mean_ms == Approx(500.0 / 3));
  CHECK(w.p50_ms == Approx(100));
  CHECK(w.p95_ms == Approx(400));
  CHECK(w.max_ms == Approx(400));
}
