#include <tutti/definition/program_path.hpp>

#include <cstdlib>
#include <string_view>
#include <unistd.h>

namespace tutti::definition {
namespace {

bool is_executable_file(const std::filesystem::path& path) {
  std::error_code ec;
  return ::access(path.c_str(), X_OK) == 0 && !std::filesystem::is_directory(path, ec);
}

} // namespace

std::variant<std::filesystem::path, std::string> find_program(const std::string& program,
                                                              const std::string& directory) {
  if (program.find('/') != std::string::npos) {
    std::filesystem::path path{program};
    if (!path.is_absolute() && !directory.empty()) {
      path = (std::filesystem::path{directory} / path).lexically_normal();
    }
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
      return path.string() + " does not exist";
    }
    if (!is_executable_file(path)) {
      return path.string() + " is not an executable file (chmod +x it, or name its " +
             "interpreter first, as [\"python3\", \"" + program + "\"])";
    }
    return path;
  }
  // Looked up here rather than by Boost.Process's find_executable, which needs Boost.Filesystem's
  // library (Debian's is 1.74, not 1.81).
  const char* path = std::getenv("PATH");
  std::string_view dirs = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
  while (!dirs.empty()) {
    const auto colon = dirs.find(':');
    const auto dir = dirs.substr(0, colon);
    dirs.remove_prefix(colon == std::string_view::npos ? dirs.size() : colon + 1);
    auto candidate = std::filesystem::path{dir.empty() ? "." : dir} / program;
    if (is_executable_file(candidate)) {
      return candidate;
    }
  }
  return "cannot find '" + program + "' on PATH";
}

} // namespace tutti::definition
