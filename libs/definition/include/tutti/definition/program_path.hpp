// Where a script agent's program is: found the same way when a file is checked and when the
// program is started, so that what validates also runs.
#pragma once

#include <filesystem>
#include <string>
#include <variant>

namespace tutti::definition {

/// `program` as a script agent names it: a path with '/' (relative to `directory`, the
/// ensemble file's folder), else a name looked up on PATH. The executable file, or why there
/// is none ("cannot find 'x' on PATH", "/dir/tools/x.py does not exist", "... is not
/// executable").
std::variant<std::filesystem::path, std::string> find_program(const std::string& program,
                                                              const std::string& directory);

} // namespace tutti::definition
