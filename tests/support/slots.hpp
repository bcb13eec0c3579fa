// Whether an engine has given back every resource slot: no request active or waiting in any
// group. Releases follow a run's result by a few messages, so this waits a little for them.
#pragma once

#include "support/eventually.hpp"

#include <tutti/engine/engine.hpp>

#include <algorithm>

namespace tutti::test {

inline bool all_slots_returned(const engine::engine& e) {
  return eventually([&] {
    auto s = e.statistics();
    return s.active == 0 && s.pending == 0 &&
           std::all_of(s.groups.begin(), s.groups.end(),
                       [](const auto& g) { return g.active == 0 && g.pending == 0; });
  });
}

} // namespace tutti::test
