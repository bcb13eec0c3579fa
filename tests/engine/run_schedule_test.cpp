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

TEST_CASE("a phase starts only when the one before it has finished") {
  run_schedule s{graph(), run_mode::parallel, scheduling_policy::phased};
  CHECK(s.next_ready() == indices{0, 1, 2, 3});
  s.finish(0, agent_status::success); // e is ready, but phase 0 is still running
  CHECK(s.next_ready().empty());
  s.finish(1, agent_status::success);
  s.finish(2, agent_status::success);
  s.finish(3, agent_status::success);
  CHECK(s.next_ready() == indices{4});
  s.finish(4, agent_status::success);
  CHECK(s.next_ready() == indices{5});
  s.finish(5, agent_status::success);
  CHECK(s.is_done());
}

TEST_CASE("eager scheduling starts an agent as soon as its own dependencies are done") {
  run_schedule s{graph(), run_mode::parallel, scheduling_policy::eager};
  CHECK(s.next_ready() == indices{0, 1, 2, 3});
  s.finish(0, agent_status::success);
  CHECK(s.next_ready() == indices{4});
}

TEST_CASE("sequential mode is phased, even when the ensemble asks for eager scheduling") {
  run_schedule s{graph(), run_mode::sequential, scheduling_policy::eager};
  CHECK(s.next_ready() == indices{0, 1, 2, 3});
  s.finish(0, agent_status::success); // e's dependency is done, but phase 0 is not
  CHECK(s.next_ready().empty());
  for (std::size_t i : {1, 2, 3}) {
    s.finish(i, agent_status::success);
  }
  CHECK(s.next_ready() == indices{4});
}

TEST_CASE("the dependants of a failed agent are skipped, naming the dependency, down the chain") {
  run_schedule s{graph(), run_mode::parallel, scheduling_policy::phased};
  s.next_ready();
  auto skipped = s.finish(0, agent_status::timeout);
  REQUIRE(skipped.size() == 2);
  CHECK(skipped[0].agent == 4);
  CHECK(skipped[0].reason == "dependency 'a' timed out");
  CHECK(skipped[1].agent == 5);
  CHECK(skipped[1].reason == "dependency 'e' was skipped");
  for (std::size_t i : {1, 2, 3}) {
    s.finish(i, agent_status::success);
  }
  CHECK(s.next_ready().empty());
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
  run_schedule s{e, run_mode::parallel, scheduling_policy::phased};
  s.next_ready();
  CHECK(s.finish(0, agent_status::failed).empty());
  CHECK(s.next_ready() == indices{1});
}
