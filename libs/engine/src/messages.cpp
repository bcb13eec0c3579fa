#include "messages.hpp"

#include <tutti/resources/resource_actor.hpp>

namespace tutti::engine {

agent_outcome outcome_of(const providers::completion_result& r) {
  return {r.is_success ? agent_status::success : agent_status::failed,
          r.text,
          r.error,
          r.usage.input_tokens,
          r.usage.output_tokens,
          r.attempts,
          r.is_transient_failure};
}

void announce_message_types(caf::actor_system_config& cfg) {
  cfg.add_message_type<agent_outcome>("tutti.agent_outcome");
  resources::announce_resource_types(cfg);
}

} // namespace tutti::engine
