// Finding, reading and validating the configuration, with environment overrides applied.
#pragma once

#include <tutti/definition/config.hpp>
#include <tutti/definition/environment.hpp>
#include <tutti/definition/outcome.hpp>

#include <filesystem>
#include <optional>
#include <string_view>

namespace tutti::definition {

/// The configuration file to read: `explicit_path` when given, else ./tutti.toml in
/// `working_dir`, else $XDG_CONFIG_HOME/tutti/config.toml (default ~/.config/...). nullopt
/// when none of the implicit places has a file; an explicit path is returned even if missing,
/// so that loading it reports the mistake.
std::optional<std::filesystem::path>
locate_config(const std::optional<std::filesystem::path>& explicit_path,
              const std::filesystem::path& working_dir, const environment& env);

/// Parses configuration text; `file` names it in diagnostics. Environment overrides of
/// [limits] (TUTTI_MAX_CONCURRENT_LLM_CALLS, TUTTI_MAX_CONCURRENT_AGENTS,
/// TUTTI_AGENT_TIMEOUT_SECONDS, TUTTI_ENSEMBLE_TIMEOUT_SECONDS) are applied.
outcome<config> parse_config(std::string_view text, const std::string& file,
                             const environment& env);

/// The configuration found by locate_config, or the built-in one when there is none.
outcome<config> load_config(const std::optional<std::filesystem::path>& explicit_path,
                            const std::filesystem::path& working_dir, const environment& env);

} // namespace tutti::definition
