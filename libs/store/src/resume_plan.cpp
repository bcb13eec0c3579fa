#include <tutti/store/fingerprint.hpp>
#include <tutti/store/resume_plan.hpp>

#include <algorithm>
#include <set>
#include <string_view>

namespace tutti::store {

resume_plan plan_resume(const stored_run& run, const definition::resolved_ensemble& now) {
  // The stored result and fingerprint of each agent, by name.
  std::map<std::string_view, std::pair<const engine::agent_result*, std::string_view>> stored;
  const auto& agents = run.result.agents;
  for (std::size_t i = 0; i < agents.size(); ++i) {
    stored.emplace(agents[i].name, std::pair{&agents[i], i < run.origin.agent_hashes.size()
                                                             ? run.origin.agent_hashes[i]
                                                             : std::string_view{}});
  }
  resume_plan plan;
  // Per agent of today's definition: its stored result, when its definition is unchanged.
  std::vector<const engine::agent_result*> unchanged(now.agents.size(), nullptr);
  std::set<std::string_view> names_now;
  for (std::size_t i = 0; i < now.agents.size(); ++i) {
    const auto& agent = now.agents[i];
    names_now.insert(agent.name);
    auto found = stored.find(agent.name);
    if (found != stored.end() && found->second.second == agent_fingerprint(agent)) {
      unchanged[i] = found->second.first;
    } else {
      plan.changed.push_back(agent.name);
    }
  }
  for (const auto& a : agents) {
    if (names_now.count(a.name) == 0) {
      plan.changed.push_back(a.name);
    }
  }
  // Phases in order: an agent's dependencies are decided before it.
  std::vector<bool> reused(now.agents.size(), false);
  for (const auto& phase : now.phases) {
    for (auto i : phase) {
      const auto& agent = now.agents[i];
      const bool succeeded =
          unchanged[i] != nullptr && unchanged[i]->status == engine::agent_status::success;
      const bool inputs_same =
          std::all_of(agent.dependency_indices.begin(), agent.dependency_indices.end(),
                      [&](std::size_t d) { return reused[d]; });
      if (succeeded && inputs_same) {
        reused[i] = true;
        plan.reuse.emplace(agent.name, *unchanged[i]);
      }
    }
  }
  return plan;
}

} // namespace tutti::store
