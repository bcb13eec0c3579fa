#include "support/temp_dir.hpp"

#include <fstream>
#include <random>

namespace tutti::test {

temp_dir::temp_dir() {
  std::random_device seed;
  std::mt19937_64 random{seed()};
  path_ = std::filesystem::temp_directory_path() / ("tutti-test-" + std::to_string(random()));
  std::filesystem::create_directories(path_);
}

temp_dir::~temp_dir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::filesystem::path temp_dir::write(const std::string& relative, const std::string& text) const {
  auto file = path_ / relative;
  std::filesystem::create_directories(file.parent_path());
  std::ofstream{file, std::ios::binary} << text;
  return file;
}

} // namespace tutti::test
