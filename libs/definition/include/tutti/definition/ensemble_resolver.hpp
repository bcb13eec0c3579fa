// Resolving an ensemble together with the ensembles its agents run (`ensemble = "NAME"`, a
// loop's body), found by name or by path from the file that names them.
#pragma once

#include <tutti/definition/config.hpp>
#include <tutti/definition/ensemble.hpp>
#include <tutti/definition/outcome.hpp>
#include <tutti/definition/resolved_ensemble.hpp>
#include <tutti/definition/source_text.hpp>

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace tutti::definition {

/// Reads and checks one ensemble file (load_ensemble, or a reader of other formats).
using ensemble_file_reader =
    std::function<outcome<ensemble>(const std::filesystem::path& file, std::size_t max_bytes)>;

class ensemble_resolver {
 public:
  /// Ensembles named by an agent are looked for as a path from the naming file's folder, then
  /// by name in that folder and in `dirs` (ensemble_search_dirs).
  ensemble_resolver(const config& c, std::vector<std::filesystem::path> dirs,
                    std::size_t max_bytes = mib_bytes(default_max_definition_mib),
                    ensemble_file_reader read = {});

  /// resolve(e, config) with the ensembles its agents run, each file read and resolved once
  /// per resolver. An ensemble that runs itself, directly or through others, is a problem that
  /// names the chain.
  outcome<resolved_ensemble> resolve(const ensemble& e);

 private:
  outcome<std::shared_ptr<const resolved_ensemble>>
  nested(const std::string& name_or_path, const source_location& where, const std::string& field);

  const config& config_;
  std::vector<std::filesystem::path> dirs_;
  std::size_t max_bytes_;
  ensemble_file_reader read_;
  // The ensembles being resolved, outermost first: a file's canonical path and its name.
  std::vector<std::pair<std::filesystem::path, std::string>> chain_;
  std::map<std::filesystem::path, std::shared_ptr<const resolved_ensemble>> resolved_;
};

} // namespace tutti::definition
