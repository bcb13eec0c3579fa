// One agent: waits for a slot from its backend's resource actor, calls its model through its
// provider, gives the slot back and answers with the outcome. Killing the actor cancels the
// call in flight; the resource actor, which watches it, takes the slot back.
#pragma once

#include "messages.hpp"
#include "run_context.hpp"

#include <tutti/providers/provider.hpp>
#include <tutti/resources/resource_actor.hpp>

namespace tutti::engine {

struct agent_state {
  caf::typed_response_promise<agent_outcome> promise;
  resources::ticket slot = 0; // from the resource actor, once admitted
  static inline const char* name = "tutti.agent";
};

/// Answers `begin_atom, prompt` with the agent_outcome once its model has replied.
caf::behavior agent_actor(caf::stateful_actor<agent_state>* self,
                          std::shared_ptr<const run_context> ctx, std::size_t index,
                          caf::actor run);

} // namespace tutti::engine
