#include "start_queue.hpp"

#include <algorithm>

namespace tutti::engine {

start_queue::start_queue(std::size_t cap, bool counts_waiting)
    : cap_(std::max<std::size_t>(cap, 1)), counts_waiting_(counts_waiting) {}

void start_queue::add(std::size_t agent, int rank) {
  ready_.emplace(rank, agent);
}

std::size_t start_queue::holding() const {
  return counts_waiting_ ? started_.size() : started_.size() - waiting_.size();
}

std::vector<std::size_t> start_queue::next_to_start() {
  std::vector<std::size_t> starting;
  while (holding() < cap_ && !ready_.empty()) {
    const auto agent = ready_.begin()->second;
    ready_.erase(ready_.begin());
    started_.insert(agent);
    starting.push_back(agent);
  }
  return starting;
}

void start_queue::mark_waiting(std::size_t agent) {
  if (started_.count(agent) != 0) {
    waiting_.insert(agent);
  }
}

void start_queue::mark_admitted(std::size_t agent) {
  waiting_.erase(agent);
}

void start_queue::finish(std::size_t agent) {
  waiting_.erase(agent);
  started_.erase(agent);
}

} // namespace tutti::engine
