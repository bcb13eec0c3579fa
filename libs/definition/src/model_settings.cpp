#include <tutti/definition/model_settings.hpp>

namespace tutti::definition {

std::optional<target_problem> check_target(bool has_backend, bool has_provider, bool has_base_url) {
  if (has_backend && (has_provider || has_base_url)) {
    return target_problem{"backend", definition_errc::conflicting_fields,
                          "set either backend, or provider (with an optional base_url), not both"};
  }
  if (has_base_url && !has_provider) {
    return target_problem{"base_url", definition_errc::missing_field,
                          "needs provider (openai, anthropic, ollama, lmstudio or mock) beside it"};
  }
  return std::nullopt;
}

model_settings overlay(const model_settings& base, const model_settings& top) {
  model_settings out = base;
  if (top.names_target()) {
    out.backend = top.backend;
    out.provider = top.provider;
    out.base_url = top.base_url;
  }
  auto take = [](auto& field, const auto& over) {
    if (over) {
      field = over;
    }
  };
  take(out.model, top.model);
  take(out.system_prompt, top.system_prompt);
  take(out.timeout, top.timeout);
  take(out.queue_timeout, top.queue_timeout);
  take(out.temperature, top.temperature);
  take(out.max_tokens, top.max_tokens);
  take(out.mock.latency, top.mock.latency);
  take(out.mock.reply, top.mock.reply);
  take(out.mock.fail, top.mock.fail);
  take(out.fallback, top.fallback);
  return out;
}

} // namespace tutti::definition
