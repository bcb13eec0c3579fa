#include "support/ensemble_text.hpp"

#include <tutti/engine/run_schedule.hpp>

#include <catch2/catch.hpp>

using namespace tutti::engine;
using tutti::definition::scheduling_policy;
using tutti::test::ensemble_from;

namespace {

using indices = std::vector<std::size_t>;

// a(3) b(8) c(5) d(8) in phase 0; e depends on a; f depends on e.
const tutti::definition::resolved_ensemble& graph() {
  static const auto ensemble = ensemble_from(R"(
name = "s"
[[agents]]
name = "a"
provider = "mock"
priority = 3
[[agents]]
name = "b"
provider = "mock"
priority = 8
[[agents]]
name = "c"
provider = "mock"
priority = 5
[[agents]]
name = "d"
provider = "mock"
priority = 8
[[agents]]
name = "e"
provider = "mock"
depends_on = ["a"]
[[agents]]
name = "f"
provider = "mock"
depends_on = ["e"]
)");
  return ensemble;
}

} // namespace

TEST_CASE("agents beyond the cap wait, higher priority first, then definition order") {
  run_schedule s{graph(), run_mode::parallel, scheduling_policy::phased, 2};
  CHECK(s.next_to_start() == indices{1, 3});
  CHECK(s.in_flight() == 2);
  CHECK(s.next_to_start().empty());
  CHECK(s.finish(3, agent_status::success).empty());
  CHECK(s.next_to_start() == indices{2});
  CHECK(s.finish(1, agent_status::success).empty());
  CHECK(s.next_to_start() == indices{0});
}

TEST_CASE("a phase starts only when the one before it has finished") {
  run_schedule s{graph(), run_mode::parallel, scheduling_policy::phased, 10};
  CHECK(s.next_to_start() == indices{1, 3, 2, 0});
  s.finish(0, agent_status::success); // e is ready, but phase 0 is still running
  CHECK(s.next_to_start().empty());
  s.finish(1, agent_status::success);
  s.finish(2, agent_status::success);
  s.finish(3, agent_status::success);
  CHECK(s.next_to_start() == indices{4});
  s.finish(4, agent_status::success);
  CHECK(s.next_to_start() == indices{5});
  s.finish(5, agent_status::success);
  CHECK(s.is_done());
}

TEST_CASE("eager scheduling starts an agent as soon as its own dependencies are done") {
  run_schedule s{graph(), run_mode::parallel, scheduling_policy::eager, 10};
  CHECK(s.next_to_start() == indices{1, 3, 2, 0});
  s.finish(0, agent_status::success);
  CHECK(s.next_to_start() == indices{4});
}

TEST_CASE("sequential mode runs one agent at a time in phase and definition order") {
  run_schedule s{graph(), run_mode::sequential, scheduling_policy::eager, 10};
  indices order;
  while (!s.is_done()) {
    auto next = s.next_to_start();
    REQUIRE(next.size() == 1);
    order.push_back(next[0]);
    s.finish(next[0], agent_status::success);
  }
  CHECK(order == indices{0, 1, 2, 3, 4, 5});
}

TEST_CASE("the dependants of a failed agent are skipped, naming the dependency, down the chain") {
  run_schedule s{graph(), run_mode::parallel, scheduling_policy::phased, 10};
  s.next_to_start();
  auto skipped = s.finish(0, agent_status::timeout);
  REQUIRE(skipped.size() == 2);
  CHECK(skipped[0].agent == 4);
  CHECK(skipped[0].reason == "dependency 'a' timed out");
  CHECK(skipped[1].agent == 5);
  CHECK(skipped[1].reason == "dependency 'e' was skipped");
  for (std::size_t i : {1, 2, 3}) {
    s.finish(i, agent_status::success);
  }
  CHECK(s.next_to_start().empty());
  CHECK(s.is_done());
}

TEST_CASE("a dependant that runs on failure becomes ready when its dependency fails") {
  auto e = ensemble_from(R"(
name = "s"
[[agents]]
name = "a"
provider = "mock"
[[agents]]
name = "b"
provider = "mock"
depends_on = ["a"]
on_dependency_failure = "run"
)");
  run_schedule s{e, run_mode::parallel, scheduling_policy::phased, 10};
  s.next_to_start();
  CHECK(s.finish(0, agent_status::failed).empty());
  CHECK(s.next_to_start() == indices{1});
}

TEST_CASE("an agent waiting for its group leaves its place under the cap to another, until it "
          "is admitted") {
  auto e = tutti::test::ensemble_from("name = \"w\"\n[[agents]]\nname = \"a\"\nprovider = "
                                      "\"mock\"\n[[agents]]\nname = \"b\"\nprovider = \"mock\"\n"
                                      "[[agents]]\nname = \"c\"\nprovider = \"mock\"\n");
  run_schedule parallel{e, run_mode::parallel, scheduling_policy::phased, 1};
  CHECK(parallel.next_to_start() == std::vector<std::size_t>{0});
  parallel.mark_waiting(0);
  CHECK(parallel.holding() == 0);
  CHECK(parallel.next_to_start() == std::vector<std::size_t>{1});
  parallel.mark_admitted(0); // both hold a slot now: the run's cap actor keeps the limit exact
  CHECK(parallel.holding() == 2);
  CHECK(parallel.next_to_start().empty());
  parallel.finish(0, agent_status::success);
  parallel.finish(1, agent_status::success);
  CHECK(parallel.next_to_start() == std::vector<std::size_t>{2});

  run_schedule sequential{e, run_mode::sequential, scheduling_policy::phased, 1};
  CHECK(sequential.next_to_start() == std::vector<std::size_t>{0});
  sequential.mark_waiting(0);
  CHECK(sequential.next_to_start().empty()); // one at a time, waiting or not
}
