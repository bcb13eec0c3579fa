#include "messages.hpp"

namespace tutti::engine {

agent_outcome outcome_of(const providers::completion_result& r) {
  return {r.is_success ? agent_status::success : agent_status::failed,
          r.text,
          r.error,
          r.usage.input_tokens,
          r.usage.output_tokens,
          r.attempts};
}

void announce_message_types(caf::actor_system_config& cfg) {
  cfg.add_message_type<agent_outcome>("tutti.agent_outcome");
}

} // namespace tutti::engine
