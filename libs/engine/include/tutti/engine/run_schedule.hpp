// Who runs next in one ensemble run: dependencies, phases, the cap, priorities, and which
// agents are skipped when a dependency fails. In parallel mode the cap counts the agents that
// hold a slot or call a model: an agent waiting for its group does not hold up one whose
// group could run now (the run's cap actor is what holds the limit exactly). Pure: no actors,
// no clocks.
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

  /// `cap` >= 1 agents in flight. Sequential mode runs one agent at a time in phase and
  /// definition order; parallel mode starts higher priorities first, then definition order.
  run_schedule(const definition::resolved_ensemble& e, run_mode mode,
               definition::scheduling_policy scheduling, int cap);

  /// The agents that may start now, in start order; they count as running from here on.
  std::vector<std::size_t> next_to_start();

  /// A running agent waits in its group's queue: in parallel mode, it leaves room under the
  /// cap for another. Once admitted, it counts again.
  void mark_waiting(std::size_t agent);
  void mark_admitted(std::size_t agent);

  /// Records that a running agent finished. Returns the agents skipped because of it (its
  /// dependants that do not run on failure, and theirs), which count as finished too.
  std::vector<skipped_agent> finish(std::size_t agent, agent_status status);

  bool is_running(std::size_t agent) const {
    return state_[agent] == state::running || state_[agent] == state::waiting;
  }
  bool is_waiting(std::size_t agent) const { return state_[agent] == state::waiting; }
  bool is_pending(std::size_t agent) const { return state_[agent] == state::pending; }
  bool is_done() const { return unfinished_ == 0; }
  std::size_t in_flight() const { return in_flight_; }
  /// The running agents that hold a slot or may be about to: what the cap counts.
  std::size_t holding() const { return in_flight_ - waiting_; }

 private:
  enum class state : std::int8_t { pending, running, waiting, finished };
  using ready_key = std::pair<int, std::size_t>; // (ordering rank, agent)

  void mark_finished(std::size_t agent, agent_status status, std::vector<skipped_agent>& skipped);
  void make_ready(std::size_t agent);
  std::set<ready_key>& queue_for(std::size_t agent);

  const definition::resolved_ensemble& ensemble_;
  run_mode mode_;
  bool is_phased_;
  std::size_t cap_;
  std::vector<state> state_;
  std::vector<std::size_t> waiting_on_;              // unfinished dependencies per agent
  std::vector<std::vector<std::size_t>> dependants_; // reverse edges
  std::vector<std::size_t> unfinished_in_phase_;
  std::vector<std::set<ready_key>> ready_; // per phase when phased, else one queue
  std::size_t current_phase_ = 0;
  std::size_t unfinished_;
  std::size_t in_flight_ = 0;
  std::size_t waiting_ = 0;
};

} // namespace tutti::engine
