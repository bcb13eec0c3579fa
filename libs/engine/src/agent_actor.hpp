// One agent: waits for a slot from its backend's resource actor, calls its model through its
// provider, gives the slot back and sends its outcome to its phase. Killing the actor cancels
// the call in flight; the resource actor, which watches it, takes the slot back.
#pragma once

#include "messages.hpp"
#include "run_context.hpp"

#include <tutti/providers/provider.hpp>
#include <tutti/resources/resource_actor.hpp>

namespace tutti::engine {

struct agent_state {
  resources::ticket slot = 0; // from the resource actor, once admitted
  static inline const char* name = "tutti.agent";
};

/// On `begin_atom, prompt`, sends `finished_atom, index, agent_outcome` to `phase` once its
/// model has replied, then ends; an abnormal end sends `stopped_atom, index, reason` instead.
/// Plain messages rather than a request: CAF 0.17 keeps an actor's pending requests in a
/// flat map searched linearly, so a phase awaiting 100,000 agents became quadratic.
caf::behavior agent_actor(caf::stateful_actor<agent_state>* self,
                          std::shared_ptr<const run_context> ctx, std::size_t index, caf::actor run,
                          caf::actor phase);

} // namespace tutti::engine
