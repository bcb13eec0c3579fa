// Who may call a backend now: a limit on requests in flight and a queue of waiting requests
// that leave in priority order (higher first, then oldest first). Pure: no actors, no clocks;
// times are passed in.
#pragma once

#include <tutti/definition/concurrency_limit.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace tutti::resources {

using ticket = std::uint64_t;
using time_point = std::chrono::steady_clock::time_point;

/// Waiting times of admitted requests, in milliseconds.
struct wait_statistics {
  double mean_ms = 0;
  double p50_ms = 0;
  double p95_ms = 0;
  double max_ms = 0;
};

/// A request's place in a queue: its run's priority first, then its agent's (both 1..10).
constexpr int request_rank(int run_priority, int agent_priority) {
  return run_priority * 16 + agent_priority;
}

class admission_queue {
 public:
  explicit admission_queue(definition::concurrency_limit limit);

  /// A request waits from `now`; a higher priority leaves first (see request_rank).
  void enqueue(ticket t, int priority, time_point now);
  /// Admits waiting requests while the limit allows, at most `at_most`; returns them in order.
  std::vector<ticket> admit(time_point now, std::size_t at_most = SIZE_MAX);
  /// Ends an admitted request; false if it was not active.
  bool release(ticket t);
  /// Removes a waiting request; false if it was not waiting.
  bool withdraw(ticket t);
  void set_limit(definition::concurrency_limit limit);

  const definition::concurrency_limit& limit() const { return limit_; }
  std::size_t active() const { return active_.size(); }
  std::size_t pending() const { return waiting_.size(); }
  bool is_waiting(ticket t) const { return position_.count(t) != 0; }
  bool is_active(ticket t) const { return active_.count(t) != 0; }
  /// Whether a new request would be admitted at once.
  bool has_free_slot() const;
  /// How many waiting requests leave before `t`.
  std::size_t ahead_of(ticket t) const;
  /// The waiting tickets in the order they will leave.
  std::vector<ticket> waiting_in_order() const;
  wait_statistics waits() const;

 private:
  // Ordered by (-priority, arrival): begin() leaves first.
  using queue_key = std::pair<int, std::uint64_t>;
  struct waiting_request {
    ticket id;
    time_point since;
  };

  definition::concurrency_limit limit_;
  std::map<queue_key, waiting_request> waiting_;
  std::unordered_map<ticket, queue_key> position_;
  std::unordered_set<ticket> active_;
  std::uint64_t arrivals_ = 0;
  // The most recent waiting times, for percentiles, and running totals for the mean and max.
  std::vector<double> recent_waits_ms_;
  std::size_t next_wait_slot_ = 0;
  double total_wait_ms_ = 0;
  double max_wait_ms_ = 0;
  std::uint64_t admitted_ = 0;
};

} // namespace tutti::resources
