#include "start_queue.hpp"

#include <catch2/catch.hpp>

using tutti::engine::start_queue;
using indices = std::vector<std::size_t>;

TEST_CASE("agents beyond the cap wait, lower rank (higher priority) first, then definition order") {
  start_queue q{2, false};
  // a(3) b(8) c(5) d(8): ranks are minus the priority.
  q.add(0, -3);
  q.add(1, -8);
  q.add(2, -5);
  q.add(3, -8);
  CHECK(q.next_to_start() == indices{1, 3});
  CHECK(q.next_to_start().empty());
  q.finish(3);
  CHECK(q.next_to_start() == indices{2});
  q.finish(1);
  CHECK(q.next_to_start() == indices{0});
  CHECK(q.is_empty());
}

TEST_CASE("an agent waiting for its group leaves its place under the cap to another, until it "
          "is admitted") {
  start_queue q{1, false};
  q.add(0, 0);
  q.add(1, 0);
  q.add(2, 0);
  CHECK(q.next_to_start() == indices{0});
  q.mark_waiting(0);
  CHECK(q.holding() == 0);
  CHECK(q.next_to_start() == indices{1});
  q.mark_admitted(0); // both hold a slot now: the run's cap actor keeps the limit exact
  CHECK(q.holding() == 2);
  CHECK(q.next_to_start().empty());
  q.finish(0);
  q.finish(1);
  CHECK(q.next_to_start() == indices{2});
}

TEST_CASE("a sequential queue starts one agent at a time, waiting or not") {
  start_queue q{1, true};
  q.add(1, 0);
  q.add(0, 0);
  CHECK(q.next_to_start() == indices{0});
  q.mark_waiting(0);
  CHECK(q.next_to_start().empty());
  q.finish(0);
  CHECK(q.next_to_start() == indices{1});
}
