// An ensemble as written in its file: named agents, their dependencies and run limits.
#pragma once

#include <tutti/definition/agent_spec.hpp>
#include <tutti/definition/diagnostic.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace tutti::definition {

inline constexpr int default_priority = 5;

/// phased: a phase starts when the one before it has finished. eager: an agent starts as soon
/// as its own dependencies have finished.
enum class scheduling_policy { phased, eager };

struct ensemble {
  std::string name;
  std::string description;
  std::string default_input;
  std::optional<int> max_concurrent_agents;
  std::optional<std::chrono::milliseconds> timeout;
  std::optional<int> priority;
  scheduling_policy scheduling = scheduling_policy::phased;
  std::vector<agent_spec> agents;
  std::string file; // where it was read from
};

} // namespace tutti::definition
