// Which agents of one ensemble run are ready: dependencies, phases (in phased mode an agent
// becomes ready only once every agent of the phases before its own has finished), and which
// agents are skipped when a dependency fails. The run hands ready agents to their phase's
// coordinator, which holds the cap and starts them (start_queue). Pure: no actors, no clocks.
#pragma once

#include <tutti/definition/resolved_ensemble.hpp>
#include <tutti/engine/run_result.hpp>

#include <cstddef>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace tutti::engine {

class run_schedule {
 public:
  struct skipped_agent {
    std::size_t agent;
    std::string reason;
  };

  /// Sequential mode is always phased.
  run_schedule(const definition::resolved_ensemble& e, run_mode mode,
               definition::scheduling_policy scheduling);

  /// The agents that have become ready since the last call, in definition order; they count
  /// as running from here on.
  std::vector<std::size_t> next_ready();

  /// Records that a running agent finished. Returns the agents skipped because of it (its
  /// dependants that do not run on failure, and theirs), which count as finished too.
  std::vector<skipped_agent> finish(std::size_t agent, agent_status status);

  bool is_running(std::size_t agent) const { return state_[agent] == state::running; }
  bool is_pending(std::size_t agent) const { return state_[agent] == state::pending; }
  bool is_done() const { return unfinished_ == 0; }

 private:
  enum class state : std::int8_t { pending, running, finished };

  void mark_finished(std::size_t agent, agent_status status, std::vector<skipped_agent>& skipped);
  void make_ready(std::size_t agent);

  const definition::resolved_ensemble& ensemble_;
  bool is_phased_;
  std::vector<state> state_;
  std::vector<std::size_t> waiting_on_;              // unfinished dependencies per agent
  std::vector<std::vector<std::size_t>> dependants_; // reverse edges
  std::vector<std::size_t> unfinished_in_phase_;
  std::vector<std::set<std::size_t>> ready_; // per phase when phased, else one
  std::size_t current_phase_ = 0;
  std::size_t unfinished_;
};

} // namespace tutti::engine
