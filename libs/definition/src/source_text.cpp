#include <tutti/definition/source_text.hpp>

#include <fstream>
#include <sstream>

namespace tutti::definition {
namespace {

diagnostics unreadable(const std::filesystem::path& file, std::string why) {
  return {{definition_errc::unreadable_file, {file.string(), 0, 0}, "", std::move(why)}};
}

} // namespace

outcome<std::string> read_source_text(const std::filesystem::path& file) {
  std::error_code ec;
  auto status = std::filesystem::status(file, ec);
  if (ec || !std::filesystem::exists(status)) {
    return unreadable(file, "no such file");
  }
  if (std::filesystem::is_directory(status)) {
    return unreadable(file, "is a directory, not a file");
  }
  auto size = std::filesystem::file_size(file, ec);
  if (!ec && size > max_source_bytes) {
    return unreadable(file, "is " + std::to_string(size / (1024 * 1024)) +
                                " MiB; definition files are limited to " +
                                std::to_string(max_source_bytes / (1024 * 1024)) + " MiB");
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
