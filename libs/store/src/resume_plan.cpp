#include <tutti/store/fingerprint.hpp>
#include <tutti/store/resume_plan.hpp>

#include <algorithm>

namespace tutti::store {

resume_plan plan_resume(const stored_run& run, const definition::resolved_ensemble& now) {
  std::map<std::string, std::pair<const engine::agent_result*, std::string>> stored; // by name
  const auto& agents = run.result.agents;
  for (std::size_t i = 0; i < agents.size(); ++i) {
    const auto hash = i < run.origin.agent_hashes.size() ? run.origin.agent_hashes[i] : "";
    stored.emplace(agents[i].name, std::pair{&agents[i], hash});
  }
  resume_plan plan;
  std::vector<bool> reused(now.agents.size(), false);
  for (std::size_t i = 0; i < now.agents.size(); ++i) {
    const auto& agent = now.agents[i];
    auto found = stored.find(agent.name);
    if (found == stored.end() || found->second.second != agent_fingerprint(agent)) {
      plan.changed.push_back(agent.name);
    }
  }
  for (const auto& a : agents) {
    auto same_name = [&](const auto& agent) { return agent.name == a.name; };
    if (std::none_of(now.agents.begin(), now.agents.end(), same_name)) {
      plan.changed.push_back(a.name);
    }
  }
  // Phases in order: an agent's dependencies are decided before it.
  for (const auto& phase : now.phases) {
    for (auto i : phase) {
      const auto& agent = now.agents[i];
      auto found = stored.find(agent.name);
      const bool is_same =
          found != stored.end() &&
          std::find(plan.changed.begin(), plan.changed.end(), agent.name) == plan.changed.end() &&
          found->second.first->status == engine::agent_status::success;
      const bool inputs_same =
          std::all_of(agent.dependency_indices.begin(), agent.dependency_indices.end(),
                      [&](std::size_t d) { return reused[d]; });
      if (is_same && inputs_same) {
        reused[i] = true;
        plan.reuse.emplace(agent.name, *found->second.first);
      }
    }
  }
  return plan;
}

} // namespace tutti::store
