// libFuzzer's entry point for one target, chosen at build time by TUTTI_FUZZ_TARGET.
#include "fuzz_targets.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>

namespace {

const tutti::fuzz::fuzz_target& chosen_target() {
  static const auto& target = []() -> const tutti::fuzz::fuzz_target& {
    auto targets = tutti::fuzz::all_targets();
    auto it = std::find_if(targets.begin(), targets.end(),
                           [](const auto& t) { return t.name == TUTTI_FUZZ_TARGET; });
    if (it == targets.end()) {
      std::abort();
    }
    return *it;
  }();
  return target;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  chosen_target().run({reinterpret_cast<const char*>(data), size});
  return 0;
}
