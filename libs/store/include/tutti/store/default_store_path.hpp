// Where runs are kept when nothing says otherwise.
#pragma once

#include <tutti/definition/environment.hpp>

#include <filesystem>
#include <optional>

namespace tutti::store {

/// $XDG_STATE_HOME/tutti/runs.db, else ~/.local/state/tutti/runs.db; nullopt when neither
/// variable is set.
std::optional<std::filesystem::path> default_store_path(const definition::environment& env);

} // namespace tutti::store
