// llm-orc's model profiles (config.yaml's model_profiles and profiles/*.yaml, global then
// local), read as tutti profiles.
#pragma once

#include <tutti/definition/environment.hpp>
#include <tutti/definition/outcome.hpp>
#include <tutti/definition/profile.hpp>

#include <filesystem>
#include <map>
#include <string>

namespace tutti::llm_orc {

/// The profiles llm-orc would use in `working_dir`, lowest precedence first, each replacing
/// whole profiles of the same name: the global folder's ($XDG_CONFIG_HOME/llm-orc, else
/// ~/.config/llm-orc) config.yaml model_profiles, then its profiles/*.yaml (sorted, *.local.yaml
/// last), then the same in the first .llm-orc folder at or above `working_dir`. Missing
/// folders and files are none. A profile's fallback_model_profile chain becomes its fallback
/// list. Every problem (an unknown key, a provider or option tutti cannot run, a fallback that
/// names no profile or goes round in a cycle) is reported at its file, line and column.
definition::outcome<std::map<std::string, definition::profile>>
load_llm_orc_profiles(const std::filesystem::path& working_dir, const definition::environment& env);

} // namespace tutti::llm_orc
