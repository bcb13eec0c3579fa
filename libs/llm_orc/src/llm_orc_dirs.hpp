// Where llm-orc keeps its configuration: a global folder and a project's .llm-orc folder.
#pragma once

#include <tutti/definition/environment.hpp>

#include <filesystem>
#include <optional>

namespace tutti::llm_orc {

/// $XDG_CONFIG_HOME/llm-orc, else $HOME/.config/llm-orc; nullopt without either variable.
std::optional<std::filesystem::path> global_config_dir(const definition::environment& env);

/// The first `.llm-orc` folder in `start` or a folder above it. As llm-orc, the filesystem
/// root itself is not looked in.
std::optional<std::filesystem::path> local_config_dir(const std::filesystem::path& start);

/// The folder holding the local `.llm-orc` folder above `start`, else `start`: where llm-orc's
/// script search starts.
std::filesystem::path project_dir(const std::filesystem::path& start);

} // namespace tutti::llm_orc
