#include "messages.hpp"

#include "resource_actor.hpp"

namespace tutti::engine {

std::int64_t count_on_wire(const std::optional<std::int64_t>& count) {
  return count.value_or(-1);
}

std::optional<std::int64_t> count_from_wire(std::int64_t count) {
  return count >= 0 ? std::optional{count} : std::nullopt;
}

attempt_result attempt_of(const providers::completion_result& r) {
  return {r.code,
          r.text,
          r.error,
          count_on_wire(r.usage.input_tokens),
          count_on_wire(r.usage.output_tokens),
          r.retry_after ? r.retry_after->count() : -1};
}

providers::completion_result completion_of(attempt_result a) {
  providers::completion_result r;
  r.code = a.code;
  r.text = std::move(a.text);
  r.error = std::move(a.error);
  r.usage = {count_from_wire(a.input_tokens), count_from_wire(a.output_tokens)};
  if (a.retry_after_ms >= 0) {
    r.retry_after = std::chrono::milliseconds{a.retry_after_ms};
  }
  return r;
}

agent_status status_of(providers::call_errc code) {
  switch (code) {
  case providers::call_errc::none:
    return agent_status::success;
  case providers::call_errc::timeout:
  case providers::call_errc::queue_timeout:
    return agent_status::timeout;
  default:
    return agent_status::failed;
  }
}

agent_outcome unsent_outcome(agent_status status, providers::call_errc code, std::string error) {
  agent_outcome o;
  o.status = status;
  o.code = code;
  o.error = std::move(error);
  return o;
}

void announce_message_types(caf::actor_system_config& cfg) {
  cfg.add_message_type<fallen_from>("tutti.fallen_from");
  cfg.add_message_type<agent_outcome>("tutti.agent_outcome");
  cfg.add_message_type<attempt_result>("tutti.attempt_result");
  cfg.add_message_type<agent_batch>("tutti.agent_batch");
  announce_resource_types(cfg);
}

} // namespace tutti::engine
