// The coordinator of one phase: starts the agents the run hands it, in parallel, and holds
// their deadlines: until an agent is admitted, its queue timeout (if it has one); from its
// admission, its timeout. It reports each start and outcome back to the run.
#pragma once

#include "deadline_queue.hpp"
#include "messages.hpp"
#include "run_context.hpp"

#include <optional>
#include <unordered_map>
#include <unordered_set>

namespace tutti::engine {

struct phase_state {
  // The agents in flight, to end them with the phase. Not links: with thousands of agents,
  // every normal exit would search the phase's list of links.
  std::unordered_map<std::uint64_t, caf::actor> running;
  std::unordered_set<std::uint64_t> admitted; // running agents that hold or held a slot
  deadline_queue deadlines;                   // of the running agents
  std::optional<deadline_queue::clock::time_point> timer_due; // the one timer message ahead
  static inline const char* name = "tutti.phase";
};

/// Handles `begin_atom, agent index, prompt`; sends `started_atom, index` (admitted) and
/// `finished_atom, index, outcome` to `run`.
/// An exit from `run` ends the phase and with it every agent still running.
caf::behavior phase_actor(caf::stateful_actor<phase_state>* self,
                          std::shared_ptr<const run_context> ctx, caf::actor run);

} // namespace tutti::engine
