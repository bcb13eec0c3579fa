// One agent: calls its model through its provider and answers with the outcome. Killing the
// actor cancels the call in flight.
#pragma once

#include "messages.hpp"
#include "run_context.hpp"

#include <tutti/providers/provider.hpp>

namespace tutti::engine {

struct agent_state {
  caf::typed_response_promise<agent_outcome> promise;
  static inline const char* name = "tutti.agent";
};

/// Answers `begin_atom, prompt` with the agent_outcome once its model has replied.
caf::behavior agent_actor(caf::stateful_actor<agent_state>* self,
                          std::shared_ptr<const run_context> ctx, std::size_t index,
                          caf::actor run);

} // namespace tutti::engine
