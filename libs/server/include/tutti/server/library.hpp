// What a server serves: its configuration and every ensemble in the search folders, resolved
// against it. Loaded at start and again on reload; a library that does not load whole is
// refused, so that a server never serves half of what its files say.
#pragma once

#include <tutti/definition/config.hpp>
#include <tutti/definition/environment.hpp>
#include <tutti/definition/outcome.hpp>
#include <tutti/definition/resolved_ensemble.hpp>

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>

namespace tutti::server {

struct library {
  definition::config config;
  std::map<std::string, definition::resolved_ensemble> ensembles; // by name
};

/// Where a library comes from: the configuration (an explicit file, else the usual places)
/// and the ensemble folders searched from `working_dir`.
struct library_source {
  std::optional<std::filesystem::path> config_path;
  std::filesystem::path working_dir;
  definition::environment environment;
};

/// The configuration and every ensemble of the search folders. An ensemble name found in an
/// earlier folder hides the same name in later ones, as `tutti run NAME` finds it; every
/// problem of every file is reported.
definition::outcome<library> load_library(const library_source& source);

} // namespace tutti::server
