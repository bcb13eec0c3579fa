// What engine tests read of a run: one agent's result by name, failing the test when it is
// missing; and the configuration with nothing set.
#pragma once

#include <tutti/definition/config_loader.hpp>
#include <tutti/engine/run_result.hpp>

#include <catch2/catch.hpp>

#include <string>

namespace tutti::test {

inline const engine::agent_result& agent(const engine::run_result& r, const std::string& name) {
  const auto* a = r.find(name);
  REQUIRE(a != nullptr);
  return *a;
}

inline definition::config default_config() {
  return definition::parse_config("", "", definition::fixed_environment({})).value();
}

} // namespace tutti::test
