#include <tutti/definition/dependency_graph.hpp>

#include <catch2/catch.hpp>

using namespace tutti::definition;

namespace {

agent_spec agent(std::string name, std::vector<std::string> deps = {}) {
  agent_spec a;
  a.name = std::move(name);
  a.depends_on = std::move(deps);
  return a;
}

} // namespace

TEST_CASE("agents without dependencies form phase 0 in definition order") {
  auto phases = plan_phases({agent("c"), agent("a"), agent("b")});
  CHECK(phases == phase_plan{{0, 1, 2}});
}

TEST_CASE("a diamond has three phases") {
  auto phases = plan_phases({agent("top"), agent("left", {"top"}), agent("right", {"top"}),
                             agent("bottom", {"left", "right"})});
  CHECK(phases == phase_plan{{0}, {1, 2}, {3}});
}

TEST_CASE("the multi-level example A,B,C -> D -> E,F -> G has four phases") {
  auto phases =
      plan_phases({agent("G", {"E", "F"}), agent("E", {"D"}), agent("A"),
                   agent("D", {"A", "B", "C"}), agent("B"), agent("F", {"D"}), agent("C")});
  CHECK(phases == phase_plan{{2, 4, 6}, {3}, {1, 5}, {0}});
}

TEST_CASE("an agent's phase follows its deepest dependency") {
  auto phases = plan_phases({agent("a"), agent("b", {"a"}), agent("c", {"a", "b"})});
  CHECK(phases == phase_plan{{0}, {1}, {2}});
}

TEST_CASE("an empty ensemble has no phases") {
  CHECK(plan_phases({}).empty());
}

TEST_CASE("a long chain is planned without deep recursion") {
  std::vector<agent_spec> chain{agent("a0")};
  for (int i = 1; i < 100'000; ++i) {
    chain.push_back(agent("a" + std::to_string(i), {"a" + std::to_string(i - 1)}));
  }
  auto phases = plan_phases(chain);
  REQUIRE(phases.size() == 100'000);
  CHECK(phases.back() == std::vector<std::size_t>{99'999});
  CHECK(find_cycles(chain).empty());
}

TEST_CASE("cycles are found with their path, each once") {
  auto cycles = find_cycles({agent("a", {"b"}), agent("b", {"c"}), agent("c", {"a"}),
                             agent("d", {"d"}), agent("e", {"a"})});
  REQUIRE(cycles.size() == 2);
  CHECK(cycles[0] == std::vector<std::string>{"a", "b", "c", "a"});
  CHECK(cycles[1] == std::vector<std::string>{"d", "d"});
}

TEST_CASE("unknown dependency names are left out of the graph") {
  CHECK(dependency_indices({agent("a", {"ghost"}), agent("b", {"a"})}) ==
        std::vector<std::vector<std::size_t>>{{}, {0}});
}
