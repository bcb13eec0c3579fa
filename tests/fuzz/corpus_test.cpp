// Replays every seed and every past finding of each fuzz target (tests/fuzz/corpus/TARGET)
// in the normal build, so that a fixed crash stays fixed without clang or libFuzzer.
#include "fuzz/fuzz_targets.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

TEST_CASE("every fuzz target survives its seed corpus and past findings") {
  const fs::path corpus = fs::path{TUTTI_SOURCE_DIR} / "tests/fuzz/corpus";
  for (const auto& target : tutti::fuzz::all_targets()) {
    const auto folder = corpus / target.name;
    INFO(folder);
    REQUIRE(fs::is_directory(folder));
    int inputs = 0;
    for (const auto& entry : fs::directory_iterator(folder)) {
      INFO(entry.path());
      std::ifstream file{entry.path(), std::ios::binary};
      std::stringstream bytes;
      bytes << file.rdbuf();
      target.run(bytes.str());
      ++inputs;
    }
    CHECK(inputs > 0);
  }
}
