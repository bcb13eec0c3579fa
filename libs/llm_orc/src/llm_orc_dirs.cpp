#include "llm_orc_dirs.hpp"

#include <system_error>

namespace tutti::llm_orc {

std::optional<std::filesystem::path> global_config_dir(const definition::environment& env) {
  // llm-orc takes $XDG_CONFIG_HOME as it is; tutti's config_home() also wants it absolute,
  // which a relative value would not be useful without anyway.
  if (auto home = definition::config_home(env)) {
    return *home / "llm-orc";
  }
  return std::nullopt;
}

std::optional<std::filesystem::path> local_config_dir(const std::filesystem::path& start) {
  std::error_code ec;
  auto dir = std::filesystem::absolute(start, ec).lexically_normal();
  if (ec) {
    return std::nullopt;
  }
  if (!dir.has_filename() && dir.has_parent_path() && dir != dir.root_path()) {
    dir = dir.parent_path(); // "a/b/" names b
  }
  while (dir != dir.root_path() && !dir.empty()) {
    auto candidate = dir / ".llm-orc";
    if (std::filesystem::is_directory(candidate, ec)) {
      return candidate;
    }
    dir = dir.parent_path();
  }
  return std::nullopt;
}

std::filesystem::path project_dir(const std::filesystem::path& start) {
  if (auto local = local_config_dir(start)) {
    return local->parent_path();
  }
  std::error_code ec;
  auto dir = std::filesystem::absolute(start, ec).lexically_normal();
  return ec ? start : dir;
}

} // namespace tutti::llm_orc
