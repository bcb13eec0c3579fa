#include <tutti/definition/ensemble_catalog.hpp>
#include <tutti/definition/ensemble_parser.hpp>
#include <tutti/definition/nearest_name.hpp>

#include <algorithm>

namespace tutti::definition {

std::vector<std::filesystem::path> ensemble_search_dirs(const std::filesystem::path& working_dir,
                                                        const environment& env) {
  std::vector<std::filesystem::path> dirs{working_dir / "ensembles",
                                          working_dir / ".tutti" / "ensembles"};
  if (auto home = config_home(env)) {
    dirs.push_back(*home / "tutti" / "ensembles");
  }
  return dirs;
}

std::vector<std::filesystem::path> ensemble_files(const std::vector<std::filesystem::path>& dirs) {
  std::vector<std::filesystem::path> files;
  for (const auto& dir : dirs) {
    std::error_code ec;
    std::vector<std::filesystem::path> in_dir;
    for (const auto& entry : std::filesystem::directory_iterator{dir, ec}) {
      if (entry.path().extension() == ".toml" && !entry.is_directory(ec)) {
        in_dir.push_back(entry.path());
      }
    }
    std::sort(in_dir.begin(), in_dir.end());
    files.insert(files.end(), in_dir.begin(), in_dir.end());
  }
  return files;
}

outcome<std::filesystem::path> find_ensemble(const std::string& name_or_path,
                                             const std::filesystem::path& working_dir,
                                             const std::vector<std::filesystem::path>& dirs,
                                             std::size_t max_bytes) {
  std::error_code ec;
  if (auto file = working_dir / name_or_path; std::filesystem::is_regular_file(file, ec)) {
    return file;
  }
  std::vector<std::filesystem::path> matches;
  std::vector<std::string> names;
  for (const auto& file : ensemble_files(dirs)) {
    auto e = load_ensemble(file, max_bytes);
    // A broken file is found by its file name, so that asking for it shows its errors.
    const auto name = e ? e->name : file.stem().string();
    names.push_back(name);
    if (name == name_or_path) {
      matches.push_back(file);
    }
  }
  if (matches.size() > 1 && matches[0].parent_path() == matches[1].parent_path()) {
    return diagnostics{{definition_errc::not_found,
                        {matches[1].string(), 0, 0},
                        "",
                        "ensemble name '" + name_or_path + "' is used by both " +
                            matches[0].string() + " and " + matches[1].string()}};
  }
  if (!matches.empty()) {
    return matches.front();
  }
  // Not an ensemble's name but something else on disk (a directory, a device): loading it
  // says what it is.
  if (auto path = working_dir / name_or_path; std::filesystem::exists(path, ec)) {
    return path;
  }
  std::string searched;
  for (const auto& dir : dirs) {
    searched += (searched.empty() ? "" : ", ") + dir.string();
  }
  return diagnostics{{definition_errc::not_found,
                      {},
                      "",
                      "no file and no ensemble named '" + name_or_path + "'" +
                          did_you_mean(name_or_path, names) + "; searched " + searched}};
}

} // namespace tutti::definition
