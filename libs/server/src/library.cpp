#include <tutti/definition/config_loader.hpp>
#include <tutti/definition/ensemble_catalog.hpp>
#include <tutti/definition/ensemble_parser.hpp>
#include <tutti/server/library.hpp>

namespace tutti::server {

definition::outcome<library> load_library(const library_source& source) {
  auto config = definition::load_config(source.config_path, source.working_dir, source.environment);
  if (!config) {
    return config.problems();
  }
  library out{std::move(config).value(), {}};
  definition::diagnostics problems;
  const auto dirs = definition::ensemble_search_dirs(source.working_dir, source.environment);
  for (const auto& file : definition::ensemble_files(dirs)) {
    auto parsed = definition::load_ensemble(file);
    if (!parsed) {
      problems.insert(problems.end(), parsed.problems().begin(), parsed.problems().end());
      continue;
    }
    if (out.ensembles.count(parsed->name) != 0) {
      continue; // an earlier folder's ensemble of that name wins
    }
    auto resolved = definition::resolve(*parsed, out.config);
    if (!resolved) {
      problems.insert(problems.end(), resolved.problems().begin(), resolved.problems().end());
      continue;
    }
    out.ensembles.emplace(resolved->name, std::move(resolved).value());
  }
  if (!problems.empty()) {
    return problems;
  }
  return out;
}

} // namespace tutti::server
