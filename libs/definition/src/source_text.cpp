#include <tutti/definition/source_text.hpp>

#include <cstdint>
#include <fstream>
#include <sstream>

namespace tutti::definition {
namespace {

diagnostics unreadable(const std::filesystem::path& file, std::string why) {
  return {{definition_errc::unreadable_file, {file.string(), 0, 0}, "", std::move(why)}};
}

// "8 MiB", "8.1 MiB": rounded up, so that a file just over the limit never reads as equal.
std::string mib_text(std::uintmax_t bytes) {
  const auto tenths = (bytes * 10 + mib_bytes(1) - 1) / mib_bytes(1);
  return std::to_string(tenths / 10) + (tenths % 10 == 0 ? "" : "." + std::to_string(tenths % 10)) +
         " MiB";
}

} // namespace

outcome<std::string> read_source_text(const std::filesystem::path& file, std::size_t max_bytes) {
  std::error_code ec;
  auto status = std::filesystem::status(file, ec);
  if (ec || !std::filesystem::exists(status)) {
    return unreadable(file, "no such file");
  }
  if (std::filesystem::is_directory(status)) {
    return unreadable(file, "is a directory, not a file");
  }
  auto size = std::filesystem::file_size(file, ec);
  if (!ec && size > max_bytes) {
    return unreadable(file, "is " + mib_text(size) + "; definition files are limited to " +
                                mib_text(max_bytes) +
                                " (raise it with [limits] max_definition_mib in the "
                                "configuration or --max-definition-mib)");
  }
  std::ifstream in{file, std::ios::binary};
  if (!in) {
    return unreadable(file, "cannot be opened for reading");
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    return unreadable(file, "could not be read");
  }
  auto contents = std::move(text).str();
  if (contents.find('\0') != std::string::npos) {
    return unreadable(file, "is a binary file, not TOML text");
  }
  return contents;
}

} // namespace tutti::definition
