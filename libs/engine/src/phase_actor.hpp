// The coordinator of one phase, as the design has it: it fans out to the agents the run hands
// it, in parallel, holds the cap (start_queue: agents waiting for their group leave their
// place to others) and their deadlines: until an agent is admitted, its queue timeout (if it
// has one); from its admission, its timeout. It reports each start and outcome to the run.
#pragma once

#include "deadline_queue.hpp"
#include "messages.hpp"
#include "run_context.hpp"
#include "start_queue.hpp"

#include <optional>
#include <unordered_map>
#include <unordered_set>

namespace tutti::engine {

struct phase_state {
  // The agents in flight, to end them with the phase. Not links: with thousands of agents,
  // every normal exit would search the phase's list of links.
  std::unordered_map<std::uint64_t, caf::actor> running;
  std::optional<start_queue> queue;                       // handed, not yet started
  std::unordered_map<std::uint64_t, std::string> prompts; // of the agents in the queue
  std::unordered_set<std::uint64_t> admitted;             // running agents that hold or held a slot
  deadline_queue deadlines;                               // of the running agents
  std::optional<deadline_queue::clock::time_point> timer_due; // the one timer message ahead
  static inline const char* name = "tutti.phase";
};

/// Its agents are tasks (task_key.hpp): an agent, or an instance of a fan-out agent.
/// Handles `begin_atom, agent_batch` from the run, and `started_atom` and
/// `waiting_atom` from its agents; sends `started_atom, index` (admitted), `waiting_atom` and
/// `finished_atom, index, outcome` to `run`.
/// An exit from `run` ends the phase and with it every agent still running.
caf::behavior phase_actor(caf::stateful_actor<phase_state>* self,
                          std::shared_ptr<const run_context> ctx, caf::actor run);

} // namespace tutti::engine
