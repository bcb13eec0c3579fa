#include <tutti/definition/dependency_graph.hpp>

#include <algorithm>
#include <set>
#include <unordered_map>

namespace tutti::definition {

std::vector<std::vector<std::size_t>> dependency_indices(const std::vector<agent_spec>& agents) {
  std::unordered_map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < agents.size(); ++i) {
    index.emplace(agents[i].name, i);
  }
  std::vector<std::vector<std::size_t>> edges(agents.size());
  for (std::size_t i = 0; i < agents.size(); ++i) {
    for (const auto& dep : agents[i].depends_on) {
      if (auto found = index.find(dep); found != index.end()) {
        edges[i].push_back(found->second);
      }
    }
  }
  return edges;
}

std::vector<std::vector<std::string>> find_cycles(const std::vector<agent_spec>& agents) {
  enum class mark { unvisited, on_path, done };
  const auto edges = dependency_indices(agents);
  std::vector<mark> marks(agents.size(), mark::unvisited);
  std::vector<std::size_t> path;
  std::vector<std::vector<std::string>> cycles;
  std::set<std::set<std::size_t>> seen; // one report per set of members

  // Iterative depth-first search: an ensemble of 100,000 agents in a chain must not
  // overflow the stack.
  struct frame {
    std::size_t node;
    std::size_t next_edge;
  };
  for (std::size_t root = 0; root < agents.size(); ++root) {
    if (marks[root] != mark::unvisited) {
      continue;
    }
    std::vector<frame> stack{{root, 0}};
    marks[root] = mark::on_path;
    path.push_back(root);
    while (!stack.empty()) {
      auto& top = stack.back();
      if (top.next_edge == edges[top.node].size()) {
        marks[top.node] = mark::done;
        path.pop_back();
        stack.pop_back();
        continue;
      }
      auto next = edges[top.node][top.next_edge++];
      if (marks[next] == mark::unvisited) {
        marks[next] = mark::on_path;
        path.push_back(next);
        stack.push_back({next, 0});
      } else if (marks[next] == mark::on_path) {
        auto start = std::find(path.begin(), path.end(), next);
        std::set<std::size_t> members(start, path.end());
        if (seen.insert(members).second) {
          std::vector<std::string> cycle;
          for (auto i = start; i != path.end(); ++i) {
            cycle.push_back(agents[*i].name);
          }
          cycle.push_back(agents[next].name);
          cycles.push_back(std::move(cycle));
        }
      }
    }
  }
  return cycles;
}

phase_plan plan_phases(const std::vector<agent_spec>& agents) {
  const auto edges = dependency_indices(agents);
  // A node's phase is one more than its deepest dependency. Computed by repeated relaxation
  // in topological order (Kahn), which needs no recursion.
  std::vector<std::size_t> waiting_on(agents.size());
  std::vector<std::vector<std::size_t>> dependants(agents.size());
  for (std::size_t i = 0; i < agents.size(); ++i) {
    waiting_on[i] = edges[i].size();
    for (auto dep : edges[i]) {
      dependants[dep].push_back(i);
    }
  }
  std::vector<std::size_t> phase_of(agents.size(), 0);
  std::vector<std::size_t> ready;
  for (std::size_t i = 0; i < agents.size(); ++i) {
    if (waiting_on[i] == 0) {
      ready.push_back(i);
    }
  }
  std::size_t phase_count = agents.empty() ? 0 : 1;
  while (!ready.empty()) {
    auto node = ready.back();
    ready.pop_back();
    for (auto dependant : dependants[node]) {
      phase_of[dependant] = std::max(phase_of[dependant], phase_of[node] + 1);
      phase_count = std::max(phase_count, phase_of[dependant] + 1);
      if (--waiting_on[dependant] == 0) {
        ready.push_back(dependant);
      }
    }
  }
  phase_plan phases(phase_count);
  for (std::size_t i = 0; i < agents.size(); ++i) {
    phases[phase_of[i]].push_back(i); // ascending i keeps definition order
  }
  return phases;
}

} // namespace tutti::definition
