// Reading a definition file into memory, refusing what cannot be a definition.
#pragma once

#include <tutti/definition/outcome.hpp>

#include <cstddef>
#include <filesystem>
#include <string>

namespace tutti::definition {

/// The default limit on a definition file, in MiB: 200,000 agents written plainly (a name, a
/// model and a prompt each) fit; a file this large is more likely a wrong path than an
/// ensemble. Raised by [limits] max_definition_mib or --max-definition-mib.
inline constexpr int default_max_definition_mib = 64;

/// `mib` mebibytes in bytes.
constexpr std::size_t mib_bytes(int mib) {
  return static_cast<std::size_t>(mib) * 1024 * 1024;
}

/// The file's text. A missing file, a directory, a file over `max_bytes` (the error says how
/// to raise the limit) or one with NUL bytes (binary) is a diagnostic naming the file.
outcome<std::string>
read_source_text(const std::filesystem::path& file,
                 std::size_t max_bytes = mib_bytes(default_max_definition_mib));

} // namespace tutti::definition
