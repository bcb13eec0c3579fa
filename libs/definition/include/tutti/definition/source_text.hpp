// Reading a definition file into memory, refusing what cannot be a definition.
#pragma once

#include <tutti/definition/outcome.hpp>

#include <cstddef>
#include <filesystem>
#include <string>

namespace tutti::definition {

/// Definitions are small; anything larger is a wrong path, not an ensemble.
inline constexpr std::size_t max_source_bytes = 8 * 1024 * 1024;

/// The file's text. A missing file, a directory, a file over max_source_bytes or one with NUL
/// bytes (binary) is a diagnostic naming the file.
outcome<std::string> read_source_text(const std::filesystem::path& file);

} // namespace tutti::definition
