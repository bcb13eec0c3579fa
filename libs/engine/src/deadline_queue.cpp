#include "deadline_queue.hpp"

namespace tutti::engine {

void deadline_queue::add(std::uint64_t id, clock::time_point deadline) {
  remove(id);
  ids_.emplace(id, by_time_.emplace(deadline, id));
}

void deadline_queue::remove(std::uint64_t id) {
  if (auto found = ids_.find(id); found != ids_.end()) {
    by_time_.erase(found->second);
    ids_.erase(found);
  }
}

std::vector<std::uint64_t> deadline_queue::take_expired(clock::time_point now) {
  std::vector<std::uint64_t> expired;
  while (!by_time_.empty() && by_time_.begin()->first <= now) {
    expired.push_back(by_time_.begin()->second);
    ids_.erase(by_time_.begin()->second);
    by_time_.erase(by_time_.begin());
  }
  return expired;
}

std::optional<deadline_queue::clock::time_point> deadline_queue::earliest() const {
  if (by_time_.empty()) {
    return std::nullopt;
  }
  return by_time_.begin()->first;
}

} // namespace tutti::engine
