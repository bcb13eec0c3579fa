// The deadlines of a phase's agents, earliest first. A phase coordinator keeps one timer for
// the earliest rather than a timed request per agent: CAF 0.17 cancels a request's timeout by
// a linear search through all of the requesting actor's timeouts, quadratic in a phase's size.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <unordered_map>
#include <vector>

namespace tutti::engine {

class deadline_queue {
 public:
  using clock = std::chrono::steady_clock;

  void add(std::uint64_t id, clock::time_point deadline);
  /// Forgets `id`; nothing happens if it is not queued.
  void remove(std::uint64_t id);
  /// Takes out every id whose deadline is at or before `now`, earliest first.
  std::vector<std::uint64_t> take_expired(clock::time_point now);
  std::optional<clock::time_point> earliest() const;
  std::size_t size() const { return ids_.size(); }

 private:
  std::multimap<clock::time_point, std::uint64_t> by_time_;
  std::unordered_map<std::uint64_t, std::multimap<clock::time_point, std::uint64_t>::iterator> ids_;
};

} // namespace tutti::engine
