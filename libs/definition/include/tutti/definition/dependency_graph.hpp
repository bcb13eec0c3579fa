// The agents of an ensemble as a graph of dependencies: cycles and phases.
#pragma once

#include <tutti/definition/agent_spec.hpp>

#include <cstddef>
#include <string>
#include <vector>

namespace tutti::definition {

/// Agent indices each agent depends on, in definition order. Names that match no agent are
/// left out: reporting them is the parser's job.
std::vector<std::vector<std::size_t>> dependency_indices(const std::vector<agent_spec>& agents);

/// Every distinct cycle, each as the agent names along it with the first repeated at the end
/// ("a", "b", "a"). Empty when the graph is acyclic.
std::vector<std::vector<std::string>> find_cycles(const std::vector<agent_spec>& agents);

/// Phase k holds the agents whose dependencies all lie in phases before k, at least one in
/// k-1; each phase lists agent indices in definition order. The graph must be acyclic.
using phase_plan = std::vector<std::vector<std::size_t>>;
phase_plan plan_phases(const std::vector<agent_spec>& agents);

} // namespace tutti::definition
