#include "model_keys.hpp"

#include <tutti/definition/nearest_name.hpp>
#include <tutti/definition/server_url.hpp>

namespace tutti::llm_orc {
namespace {

using definition::definition_errc;

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

} // namespace

std::variant<provider_target, std::string> map_provider(const std::optional<std::string>& provider,
                                                        const std::string& model) {
  if (starts_with(model, "mock")) {
    return provider_target{"mock", std::nullopt};
  }
  if (model == "claude-cli") {
    return std::string{"the model claude-cli runs the Claude command-line program, which tutti "
                       "does not; use provider anthropic-api with a model name"};
  }
  if (!provider || *provider == "ollama") {
    return provider_target{"ollama", std::nullopt};
  }
  if (*provider == "anthropic-api" || *provider == "anthropic") {
    return provider_target{"anthropic", std::nullopt};
  }
  if (*provider == "openai-compatible" || starts_with(*provider, "openai-compatible/")) {
    return provider_target{"openai", std::string{openai_default_base_url}};
  }
  if (*provider == "google-gemini") {
    return std::string{"tutti cannot run llm-orc's provider 'google-gemini': it has no Gemini "
                       "backend (use ollama, anthropic-api or openai-compatible)"};
  }
  return "tutti cannot run llm-orc's provider '" + *provider +
         "': it runs ollama, anthropic-api and openai-compatible" +
         definition::did_you_mean(*provider, {"ollama", "anthropic-api", "openai-compatible"});
}

void read_target(yaml_mapping& reader, definition::model_settings& s, provider_rule rule,
                 bool allows_base_url) {
  auto model = reader.text("model");
  auto provider = reader.text("provider");
  if (model && model->empty()) {
    reader.report_value(definition_errc::empty_field, "model", "must not be empty");
    model.reset();
  }
  if (rule == provider_rule::required_with_model) {
    if (model && !provider && !reader.has("provider")) {
      reader.report(definition_errc::missing_field, "model",
                    "needs provider as well (llm-orc requires model and provider together)");
      return;
    }
    if (provider && !model && !reader.has("model")) {
      reader.report(definition_errc::missing_field, "provider",
                    "needs model as well (llm-orc requires model and provider together)");
      return;
    }
  } else if (!model && !reader.has("model")) {
    reader.report(definition_errc::missing_field, "model", "is required");
  }
  if (!model) {
    return;
  }
  auto target = map_provider(provider, *model);
  if (const auto* why = std::get_if<std::string>(&target)) {
    reader.report_value(definition_errc::invalid_value, provider ? "provider" : "model", *why);
    return;
  }
  auto& mapped = std::get<provider_target>(target);
  s.model = *model;
  s.provider = mapped.provider;
  s.base_url = mapped.base_url;
  if (!allows_base_url) {
    return;
  }
  auto base_url = reader.text("base_url");
  if (!base_url) {
    return;
  }
  if (mapped.provider != "openai") {
    reader.report(definition_errc::conflicting_fields, "base_url",
                  "applies only to the openai-compatible provider; llm-orc ignores it for " +
                      (provider ? "'" + *provider + "'" : std::string{"ollama"}) +
                      ", and tutti would send requests there");
    return;
  }
  auto url = definition::parse_server_url(*base_url);
  if (!url || url->has_userinfo) {
    reader.report_value(definition_errc::invalid_value, "base_url",
                        "'" + *base_url +
                            "' is not an http:// or https:// URL with a host (and no password)");
    return;
  }
  while (!base_url->empty() && base_url->back() == '/') {
    base_url->pop_back();
  }
  s.base_url = *base_url;
}

void read_options(yaml_mapping& reader, definition::model_settings& s) {
  auto options = reader.mapping("options");
  if (!options) {
    return;
  }
  yaml_mapping option_reader{*options, reader.file(), reader.field("options"), reader.problems()};
  s.temperature = option_reader.number("temperature", definition::temperature_range);
  s.max_tokens = option_reader.integer("num_predict", definition::max_tokens_range);
  for (const auto& key : option_reader.keys()) {
    if (key == "temperature" || key == "num_predict") {
      continue;
    }
    option_reader.accept(key);
    option_reader.report(definition_errc::unknown_key, key,
                         "tutti cannot pass Ollama option '" + key +
                             "': it sets only temperature and num_predict (as max_tokens)");
  }
}

} // namespace tutti::llm_orc
