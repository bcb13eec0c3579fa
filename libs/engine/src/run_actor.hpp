// One ensemble run: drives the phases through their coordinators, assembles each agent's
// prompt from its dependencies' outputs, enforces the ensemble deadline and builds the result.
#pragma once

#include "cost_budget.hpp"
#include "messages.hpp"
#include "run_context.hpp"

#include <tutti/engine/run_schedule.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

namespace tutti::engine {

/// An agent running an ensemble: its nested run now, and what the next iteration needs.
struct nested_progress {
  caf::actor run;
  int iteration = 0;                              // of the run now, from 1
  std::string input;                              // the agent's, which the first run was given
  std::chrono::steady_clock::time_point deadline; // the parent's, or the agent's if sooner
  double started_ms = 0;                          // of the run now
};

struct run_state {
  std::shared_ptr<const run_context> ctx;
  std::optional<run_schedule> schedule;
  run_result result;
  std::vector<caf::actor> phases; // coordinators, spawned when their first agent starts
  std::chrono::steady_clock::time_point started_at;
  std::size_t statistics_due = 0;    // answers still expected from resource actors at the end
  std::vector<double> asked_ms;      // per agent: when it was handed to its phase to ask for a slot
  std::optional<cost_budget> budget; // the run's cost limit
  std::unordered_map<std::size_t, std::size_t> instances_left;        // per fan-out agent running
  std::unordered_map<std::uint64_t, std::vector<fallen_from>> fallen; // per task that fell back
  std::unordered_map<std::uint64_t, nested_progress> nested;          // per task running one
  static inline const char* name = "tutti.run";
};

/// Starts on `begin_atom`; ends early on `deadline_atom` (sent to itself) or `cancel_atom`.
/// Calls ctx->on_done with the result exactly once, then quits.
/// The run before anything ran: its id, ensemble, input, options and phases, its agents with
/// their backends and groups.
run_result skeleton(const run_context& ctx);

caf::behavior run_actor(caf::stateful_actor<run_state>* self,
                        std::shared_ptr<const run_context> ctx);

} // namespace tutti::engine
