// The model keys llm-orc's profiles and LLM agents share (provider, model, base_url,
// options), mapped onto tutti's model_settings.
#pragma once

#include "yaml_mapping.hpp"

#include <tutti/definition/model_settings.hpp>

#include <optional>
#include <string>
#include <variant>

namespace tutti::llm_orc {

/// Where llm-orc's openai-compatible provider sends requests when no base_url is given.
inline constexpr std::string_view openai_default_base_url = "https://api.openai.com/v1";

/// The tutti provider (and default base URL) for an llm-orc provider name and model.
struct provider_target {
  std::string provider;
  std::optional<std::string> base_url;
};

/// As llm-orc's model factory decides: a model named mock* is the mock; no provider is
/// Ollama; anthropic-api, openai-compatible[/scope] and ollama map onto tutti's providers.
/// Anything else is a message saying why tutti cannot run it.
std::variant<provider_target, std::string> map_provider(const std::optional<std::string>& provider,
                                                        const std::string& model);

/// How `provider` must be present: a profile defaults to Ollama without one; an agent's
/// model needs its provider, and a provider needs a model.
enum class provider_rule { default_ollama, required_with_model };

/// Reads model and provider (and base_url, where `allows_base_url`) into `s`.
void read_target(yaml_mapping& reader, definition::model_settings& s, provider_rule rule,
                 bool allows_base_url);

/// Reads `options`: the Ollama options tutti has a setting for (temperature, num_predict);
/// any other is reported, since tutti could not pass it on.
void read_options(yaml_mapping& reader, definition::model_settings& s);

} // namespace tutti::llm_orc
