// `tutti run --stream`: agents' responses printed as they arrive. One agent's tokens go out as
// they come, so `tutti run x --stream > answer.txt` holds the answer alone; several agents'
// tokens are gathered into whole lines, each behind its agent's name, so no agent's words ever
// land inside another's line.
#pragma once

#include <tutti/engine/run_event.hpp>

#include <iosfwd>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace tutti::cli {

class token_printer {
 public:
  /// With `is_terminal`, control characters in tokens are shown as escapes (terminal_text).
  /// With `hold_lines` (a live view shares the terminal), nothing is written until asked:
  /// whole lines wait for take_lines(), one agent's included.
  token_printer(std::ostream& out, std::set<std::string> agents, bool is_terminal = false,
                bool hold_lines = false);

  /// Takes a token event of a chosen agent, and ends its last line when it finishes;
  /// thread-safe. Other events and agents are ignored.
  void apply(const engine::run_event& event);
  /// The whole lines held since the last call (hold_lines only), each ending in '\n'.
  std::vector<std::string> take_lines();
  /// Writes what is held and every unfinished line.
  void finish();

 private:
  bool is_line_mode() const { return hold_lines_ || agents_.size() > 1 || has_instances_; }
  void end_line(const std::string& agent, std::string& text);

  std::ostream& out_;
  std::set<std::string> agents_;
  bool has_instances_ = false; // a fan-out's instances stream, each on labelled lines
  bool is_terminal_;
  bool hold_lines_;
  std::mutex mutex_;
  std::map<std::string, std::string> partial_; // each agent's line so far (line mode)
  std::vector<std::string> held_;
  bool raw_line_open_ = false; // raw mode: tokens were written since the last newline
};

} // namespace tutti::cli
