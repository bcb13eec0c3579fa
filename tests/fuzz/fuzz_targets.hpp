// The inputs tutti takes from people and servers, as fuzz targets: each takes arbitrary bytes
// and must neither crash, hang, nor trip a sanitizer. The same functions run under libFuzzer
// (clang, `make fuzz`) and replay the seed corpus and every past finding in the normal suite.
#pragma once

#include <span>
#include <string_view>

namespace tutti::fuzz {

struct fuzz_target {
  std::string_view name; // also the folder of its corpus under tests/fuzz/corpus
  void (*run)(std::string_view data);
};

std::span<const fuzz_target> all_targets();

} // namespace tutti::fuzz
