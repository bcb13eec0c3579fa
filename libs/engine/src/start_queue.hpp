// What a phase coordinator starts next: the agents the run has handed it, higher rank first
// (then definition order), while fewer than `cap` of those it started hold a slot or call a
// model. An agent waiting in its group's queue leaves its place to another, unless the run is
// sequential (one agent at a time, waiting or not). Pure: no actors, no clocks.
#pragma once

#include <cstddef>
#include <set>
#include <unordered_set>
#include <utility>
#include <vector>

namespace tutti::engine {

class start_queue {
 public:
  start_queue(std::size_t cap, bool counts_waiting);

  /// An agent ready to start; lower ranks start first, then lower agent numbers.
  void add(std::size_t agent, int rank);
  /// The agents to start now, in order; they count under the cap from here on.
  std::vector<std::size_t> next_to_start();
  /// A started agent waits in its group's queue, or has been admitted after all.
  void mark_waiting(std::size_t agent);
  void mark_admitted(std::size_t agent);
  /// A started agent is done.
  void finish(std::size_t agent);

  /// The started agents that count under the cap.
  std::size_t holding() const;
  bool is_empty() const { return ready_.empty(); }

 private:
  std::set<std::pair<int, std::size_t>> ready_;
  std::unordered_set<std::size_t> started_;
  std::unordered_set<std::size_t> waiting_;
  std::size_t cap_;
  bool counts_waiting_;
};

} // namespace tutti::engine
