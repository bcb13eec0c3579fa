// Where ensembles live and how a name given on the command line finds its file.
#pragma once

#include <tutti/definition/environment.hpp>
#include <tutti/definition/outcome.hpp>
#include <tutti/definition/source_text.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace tutti::definition {

/// ./ensembles, ./.tutti/ensembles, $XDG_CONFIG_HOME/tutti/ensembles (default
/// ~/.config/tutti/ensembles), in that order of precedence.
std::vector<std::filesystem::path> ensemble_search_dirs(const std::filesystem::path& working_dir,
                                                        const environment& env);

/// The *.toml files directly in `dirs` that exist, each folder's sorted by file name.
std::vector<std::filesystem::path> ensemble_files(const std::vector<std::filesystem::path>& dirs);

/// `name_or_path` when it is an existing file (relative to `working_dir`), else the first file
/// in `dirs` whose ensemble has that name. Not found (with the closest name) and ambiguity
/// (two files of one folder with the name) are diagnostics. Files over `max_bytes` are known
/// by their file name only.
outcome<std::filesystem::path>
find_ensemble(const std::string& name_or_path, const std::filesystem::path& working_dir,
              const std::vector<std::filesystem::path>& dirs,
              std::size_t max_bytes = mib_bytes(default_max_definition_mib));

} // namespace tutti::definition
