// The live view of a run on a terminal: a title saying how it runs, then each agent waiting,
// queued for its backend (with how many are ahead), running (with elapsed time), waiting to
// retry (after what, for how long, which attempt) or done. Fed by run events from engine
// threads; drawn by the command's own thread, each line clipped to the terminal's width so a
// redraw moves up exactly as many rows as it drew.
#pragma once

#include <tutti/definition/resolved_ensemble.hpp>
#include <tutti/engine/run_event.hpp>

#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace tutti::cli {

class progress_view {
 public:
  /// Agents shown one per line; larger runs show counts and the running agents only.
  static constexpr std::size_t max_agent_lines = 20;

  /// The agents by name, in definition order; `title` heads the view ("pair: parallel").
  progress_view(std::string title, const std::vector<std::string>& agents);

  /// Records an event; thread-safe.
  void apply(const engine::run_event& event);

  /// The view at `now_ms` since the run started, each line at most `width` columns (0: no
  /// limit).
  std::vector<std::string> lines(double now_ms, std::size_t width = 0) const;

 private:
  struct agent_line {
    std::string name;
    std::optional<double> started_ms;
    std::string waiting_for; // the resource group, while queued for a slot
    std::uint64_t ahead = 0;
    std::optional<engine::agent_status> finished;
    double finished_ms = 0;
    std::string retry_after; // why the last attempt failed, while a retry waits
    double retry_at_ms = 0;  // when the next attempt starts
    int next_attempt = 0;
    int max_attempts = 0;
  };
  std::string describe(const agent_line& a, double now_ms, std::size_t name_width) const;
  // A large run's counts and its running agents.
  void counted_lines(std::vector<std::string>& out, double now_ms, std::size_t name_width) const;

  std::string title_;
  mutable std::mutex mutex_;
  std::vector<agent_line> agents_;
  std::unordered_map<std::string, std::size_t> index_; // name -> position in agents_
  std::size_t name_width_ = 0;
};

} // namespace tutti::cli
