// Waiting, boundedly, for an effect that follows a result by a few messages (a released slot,
// a closed connection): the answer is about order, never about speed.
#pragma once

#include <chrono>
#include <thread>

namespace tutti::test {

/// Whether `condition` holds within about five seconds of polling.
template <class Condition>
bool eventually(Condition condition) {
  for (int i = 0; i < 500; ++i) {
    if (condition()) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
  return condition();
}

} // namespace tutti::test
