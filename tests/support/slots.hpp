// Whether an engine has given back every resource slot: no request active or waiting in any
// group. Releases follow a run's result by a few messages, so this waits a little for them.
#pragma once

#include <tutti/engine/engine.hpp>

#include <algorithm>
#include <chrono>
#include <thread>

namespace tutti::test {

inline bool all_slots_returned(const engine::engine& e) {
  for (int i = 0; i < 500; ++i) {
    auto s = e.statistics();
    if (s.active == 0 && s.pending == 0 &&
        std::all_of(s.groups.begin(), s.groups.end(),
                    [](const auto& g) { return g.active == 0 && g.pending == 0; })) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
  return false;
}

} // namespace tutti::test
