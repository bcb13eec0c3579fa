// What this process holds, for the soak tests: resident memory and open file descriptors.
#pragma once

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace tutti::test {

/// Resident memory of this process in KiB.
inline long resident_kib() {
  std::ifstream status{"/proc/self/status"};
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      return std::stol(line.substr(6));
    }
  }
  return 0;
}

/// File descriptors this process has open.
inline std::size_t open_files() {
  return static_cast<std::size_t>(
      std::distance(std::filesystem::directory_iterator{"/proc/self/fd"}, {}));
}

} // namespace tutti::test
