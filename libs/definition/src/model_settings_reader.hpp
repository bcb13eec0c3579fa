// Reading the model settings that profiles and agents share, with the same checks for both.
#pragma once

#include "table_reader.hpp"

#include <tutti/definition/model_settings.hpp>

namespace tutti::definition {

/// Reads backend, provider, base_url, model, system_prompt, timeout_seconds, temperature and
/// max_tokens, and checks that the serving target is one of: backend, or provider (+ base_url).
model_settings read_model_settings(table_reader& reader);

/// The provider names, as TOML spells them, for choices and suggestions.
std::vector<std::string> provider_names();

} // namespace tutti::definition
