#include <tutti/engine/run_schedule.hpp>

#include <algorithm>
#include <cassert>

namespace tutti::engine {
namespace {

std::string skip_reason(const std::string& dependency, agent_status status) {
  switch (status) {
  case agent_status::failed:
    return "dependency '" + dependency + "' failed";
  case agent_status::timeout:
    return "dependency '" + dependency + "' timed out";
  case agent_status::skipped:
    return "dependency '" + dependency + "' was skipped";
  case agent_status::success:
  case agent_status::partial: // its dependants are given what its instances gave
  case agent_status::pending: // an agent the schedule finishes is never pending
    break;
  }
  return {};
}

} // namespace

run_schedule::run_schedule(const definition::resolved_ensemble& e, run_mode mode,
                           definition::scheduling_policy scheduling)
    : ensemble_(e), is_phased_(mode == run_mode::sequential ||
                               scheduling == definition::scheduling_policy::phased),
      state_(e.agents.size(), state::pending), waiting_on_(e.agents.size()),
      dependants_(e.agents.size()), unfinished_in_phase_(std::max<std::size_t>(e.phases.size(), 1)),
      ready_(is_phased_ ? std::max<std::size_t>(e.phases.size(), 1) : 1),
      unfinished_(e.agents.size()) {
  for (std::size_t i = 0; i < e.agents.size(); ++i) {
    const auto& agent = e.agents[i];
    waiting_on_[i] = agent.dependency_indices.size();
    for (auto dep : agent.dependency_indices) {
      dependants_[dep].push_back(i);
    }
    ++unfinished_in_phase_[agent.phase];
  }
  for (std::size_t i = 0; i < e.agents.size(); ++i) {
    if (waiting_on_[i] == 0) {
      make_ready(i);
    }
  }
}

void run_schedule::make_ready(std::size_t agent) {
  ready_[is_phased_ ? ensemble_.agents[agent].phase : 0].insert(agent);
}

std::vector<std::size_t> run_schedule::next_ready() {
  auto& ready = ready_[is_phased_ ? current_phase_ : 0];
  std::vector<std::size_t> starting(ready.begin(), ready.end());
  ready.clear();
  for (auto agent : starting) {
    state_[agent] = state::running;
  }
  return starting;
}

std::vector<run_schedule::skipped_agent> run_schedule::finish(std::size_t agent,
                                                              agent_status status) {
  assert(is_running(agent));
  std::vector<skipped_agent> skipped;
  mark_finished(agent, status, skipped);
  return skipped;
}

void run_schedule::mark_finished(std::size_t agent, agent_status status,
                                 std::vector<skipped_agent>& skipped) {
  auto settle = [this](std::size_t a) {
    state_[a] = state::finished;
    --unfinished_;
    --unfinished_in_phase_[ensemble_.agents[a].phase];
  };
  settle(agent);
  // An explicit stack: a failure at the head of a long chain skips the whole chain.
  std::vector<std::pair<std::size_t, agent_status>> work{{agent, status}};
  while (!work.empty()) {
    auto [done, done_status] = work.back();
    work.pop_back();
    for (auto dependant : dependants_[done]) {
      --waiting_on_[dependant];
      if (state_[dependant] != state::pending) {
        continue;
      }
      // A pending agent is in no ready queue until its last dependency finishes, so
      // settling it here needs no queue update.
      if (done_status != agent_status::success && done_status != agent_status::partial &&
          ensemble_.agents[dependant].on_dependency_failure ==
              definition::dependency_failure_policy::skip) {
        settle(dependant);
        skipped.push_back({dependant, skip_reason(ensemble_.agents[done].name, done_status)});
        work.emplace_back(dependant, agent_status::skipped);
      } else if (waiting_on_[dependant] == 0) {
        make_ready(dependant);
      }
    }
  }
  while (current_phase_ + 1 < unfinished_in_phase_.size() &&
         unfinished_in_phase_[current_phase_] == 0) {
    ++current_phase_;
  }
}

} // namespace tutti::engine
