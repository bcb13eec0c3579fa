// The messages between the run, phase and agent actors: atoms and plain value types.
#pragma once

#include <tutti/engine/run_event.hpp>
#include <tutti/engine/run_result.hpp>
#include <tutti/providers/completion.hpp>

#include <caf/all.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

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
using retry_atom = caf::atom_constant<caf::atom("retry")>;       // a wait before a retry is over
using expired_atom = caf::atom_constant<caf::atom("expired")>;   // an agent's deadline passed
using fallback_atom = caf::atom_constant<caf::atom("fallback")>; // an agent left a model
using nested_atom = caf::atom_constant<caf::atom("nested")>;     // from an agent's nested run

/// A token count on the wire: -1 when the backend did not report it.
std::int64_t count_on_wire(const std::optional<std::int64_t>& count);
std::optional<std::int64_t> count_from_wire(std::int64_t count);

/// A model an agent fell back from: what its calls came to there. The run keeps them as they
/// come, so that an agent ended by its deadline on a fallback is still told as it was.
struct fallen_from {
  std::int32_t target = 0; // 0: the agent's own model; k: its fallback k - 1
  providers::call_errc code = providers::call_errc::bad_response;
  std::string error;
  std::int32_t attempts = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, fallen_from& x) {
  return f(caf::meta::type_name("fallen_from"), x.target, x.code, x.error, x.attempts);
}

/// What an agent's call came to, as the agent actor reports it.
struct agent_outcome {
  agent_status status = agent_status::failed;
  providers::call_errc code = providers::call_errc::bad_response;
  std::string response;
  std::string error;
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
  std::int32_t attempts = 0;
  std::chrono::milliseconds queued{0}; // waiting for slots, in total
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, agent_outcome& x) {
  return f(caf::meta::type_name("agent_outcome"), x.status, x.code, x.response, x.error,
           x.input_tokens, x.output_tokens, x.attempts, x.queued);
}

/// Agents a phase is to start, with their prompts, in one message.
struct agent_batch {
  std::vector<std::uint64_t> agents;
  std::vector<std::string> prompts;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, agent_batch& x) {
  return f(caf::meta::type_name("agent_batch"), x.agents, x.prompts);
}

/// One attempt's result as a message from the provider's thread to the agent.
struct attempt_result {
  providers::call_errc code = providers::call_errc::bad_response;
  std::string text;
  std::string error;
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
  std::int64_t retry_after_ms = -1; // none when negative
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, attempt_result& x) {
  return f(caf::meta::type_name("attempt_result"), x.code, x.text, x.error, x.input_tokens,
           x.output_tokens, x.retry_after_ms);
}

attempt_result attempt_of(const providers::completion_result& r);
providers::completion_result completion_of(attempt_result a);

/// The agent's status for a call's code: success, timeout (the call's or the queue's
/// deadline), or failed.
agent_status status_of(providers::call_errc code);

/// An outcome with no call behind it: `attempts` 0.
agent_outcome unsent_outcome(agent_status status, providers::call_errc code, std::string error);

/// Registers the message types, so that they can later cross process boundaries.
void announce_message_types(caf::actor_system_config& cfg);

} // namespace tutti::engine

// A nested run tells its parent run, on the same actor system, of its events and its result:
// never sent across a process boundary, so neither is serialized.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tutti::engine::run_event)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::shared_ptr<const tutti::engine::run_result>)
