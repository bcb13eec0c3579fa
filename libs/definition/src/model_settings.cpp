#include <tutti/definition/model_settings.hpp>

namespace tutti::definition {

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
  take(out.temperature, top.temperature);
  take(out.max_tokens, top.max_tokens);
  take(out.mock.latency, top.mock.latency);
  take(out.mock.reply, top.mock.reply);
  take(out.mock.fail, top.mock.fail);
  return out;
}

} // namespace tutti::definition
