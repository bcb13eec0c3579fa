#include <tutti/definition/config_loader.hpp>
#include <tutti/definition/ensemble_catalog.hpp>
#include <tutti/definition/ensemble_parser.hpp>
#include <tutti/definition/ensemble_resolver.hpp>
#include <tutti/server/library.hpp>

#include <map>

namespace tutti::server {

definition::outcome<library> load_library(const library_source& source) {
  auto config = definition::load_config(source.config_path, source.working_dir, source.environment);
  if (!config) {
    return config.problems();
  }
  library out{std::move(config).value(), {}};
  definition::diagnostics problems;
  std::map<std::string, std::filesystem::path> found; // name -> the file that has it
  const auto dirs = definition::ensemble_search_dirs(source.working_dir, source.environment);
  definition::ensemble_resolver resolver{
      out.config, dirs, definition::mib_bytes(out.config.limits.max_definition_mib)};
  for (const auto& file : definition::ensemble_files(dirs)) {
    auto parsed = definition::load_ensemble(
        file, definition::mib_bytes(out.config.limits.max_definition_mib));
    if (!parsed) {
      problems.insert(problems.end(), parsed.problems().begin(), parsed.problems().end());
      continue;
    }
    if (auto earlier = found.find(parsed->name); earlier != found.end()) {
      if (earlier->second.parent_path() == file.parent_path()) {
        definition::diagnostic twice;
        twice.code = definition::definition_errc::not_found;
        twice.where.file = file.string();
        twice.message = "ensemble name '" + parsed->name + "' is used by both " +
                        earlier->second.string() + " and " + file.string();
        problems.push_back(std::move(twice));
      }
      continue; // else an earlier folder's ensemble of that name wins
    }
    found.emplace(parsed->name, file);
    auto resolved = resolver.resolve(*parsed);
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
