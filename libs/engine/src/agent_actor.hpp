// One agent: asks its backend's resource actor for a slot, calls its model through its
// provider, retries as its call's state machine says (giving the slot back while it waits),
// and sends its outcome to its phase. Killing the actor cancels the call in flight; the
// resource actor, which watches it, takes the slot back.
#pragma once

#include "agent_call.hpp"
#include "messages.hpp"
#include "run_context.hpp"

#include <tutti/providers/provider.hpp>

#include <optional>

namespace tutti::engine {

// Everything an agent's handlers use lives here, so that each handler captures only the actor:
// a behavior of eight handlers that each copied the run's context and actor handles cost a
// hundred thousand agents some hundred megabytes and millions of reference counts.
struct agent_state {
  std::shared_ptr<const run_context> ctx;
  std::uint64_t task = 0; // its agent, and instance if it is one (task_key.hpp)
  std::size_t index = 0;  // into ctx->ensemble.agents
  caf::actor run;
  caf::actor phase;
  std::shared_ptr<providers::cancel_call> cancel; // the call in flight; shared with the exit hook
  std::optional<agent_call> call;
  std::string prompt;     // as rendered for this run
  ticket slot = 0;        // from the resource actor while admitted, else 0
  std::size_t target = 0; // the model called now: 0 its own, k its fallback k - 1
  // Said to the model asked again for an answer in the form its output_schema asks for, after
  // the prompt; empty until then, and again on a fallback's model.
  std::string asked_again;
  static inline const char* name = "tutti.agent";
};

/// On `begin_atom, prompt`: sends `started_atom, task` to `phase` at its first admission and
/// `finished_atom, task, agent_outcome` once done, then ends; an abnormal end sends
/// `stopped_atom, task, reason` instead. Plain messages rather than a request: CAF 0.17 keeps
/// an actor's pending requests in a flat map searched linearly, so a phase awaiting 100,000
/// agents became quadratic.
caf::behavior agent_actor(caf::stateful_actor<agent_state>* self,
                          std::shared_ptr<const run_context> ctx, std::uint64_t task,
                          caf::actor run, caf::actor phase);

} // namespace tutti::engine
