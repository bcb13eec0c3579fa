// The messages between the run, phase and agent actors: atoms and plain value types.
#pragma once

#include <tutti/engine/run_result.hpp>
#include <tutti/providers/completion.hpp>

#include <caf/all.hpp>

#include <cstdint>
#include <string>

namespace tutti::engine {

using begin_atom = caf::atom_constant<caf::atom("begin")>;       // start an agent / a run
using started_atom = caf::atom_constant<caf::atom("started")>;   // an agent called its model
using finished_atom = caf::atom_constant<caf::atom("finished")>; // an agent is done
using complete_atom = caf::atom_constant<caf::atom("complete")>; // a provider call returned
using deadline_atom = caf::atom_constant<caf::atom("deadline")>; // the ensemble deadline
using cancel_atom = caf::atom_constant<caf::atom("cancel")>;     // cancel a run
using waiting_atom = caf::atom_constant<caf::atom("waiting")>;   // an agent waits for a slot
using token_atom = caf::atom_constant<caf::atom("token")>;       // a piece of a response
using timeout_atom = caf::atom_constant<caf::atom("timeout")>;   // an agent deadline is due
using stopped_atom = caf::atom_constant<caf::atom("stopped")>;   // an agent ended abnormally

/// What an agent's call came to, as the agent actor reports it.
struct agent_outcome {
  agent_status status = agent_status::failed;
  std::string response;
  std::string error;
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
  std::int32_t attempts = 0;
  bool is_transient_failure = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, agent_outcome& x) {
  return f(caf::meta::type_name("agent_outcome"), x.status, x.response, x.error, x.input_tokens,
           x.output_tokens, x.attempts, x.is_transient_failure);
}

/// The outcome of a provider's result.
agent_outcome outcome_of(const providers::completion_result& r);

/// Registers the message types, so that they can later cross process boundaries.
void announce_message_types(caf::actor_system_config& cfg);

} // namespace tutti::engine
