// Access to environment variables, passed in so that loading can be tested without setenv.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>

namespace tutti::definition {

/// Looks up a variable; nullopt when unset.
using environment = std::function<std::optional<std::string>(const std::string& name)>;

/// The process's own environment.
environment process_environment();

/// A fixed set of variables, for tests and embedding programs.
environment fixed_environment(std::map<std::string, std::string> variables);

/// $XDG_CONFIG_HOME when set to an absolute path, else $HOME/.config; nullopt without either.
std::optional<std::filesystem::path> config_home(const environment& env);

/// $XDG_STATE_HOME when set to an absolute path, else $HOME/.local/state; nullopt without
/// either.
std::optional<std::filesystem::path> state_home(const environment& env);

} // namespace tutti::definition
