// `tutti run --stream`: agents' tokens printed as they arrive, each run of one agent's tokens
// behind its name, for the agents chosen (the last phase, or all).
#pragma once

#include <tutti/engine/run_event.hpp>

#include <iosfwd>
#include <mutex>
#include <set>
#include <string>

namespace tutti::cli {

class token_printer {
 public:
  /// With `is_terminal`, control characters in tokens are shown as escapes (terminal_text).
  token_printer(std::ostream& out, std::set<std::string> agents, bool is_terminal = false);

  /// Prints a token event of a chosen agent; thread-safe. Other events are ignored.
  void apply(const engine::run_event& event);
  /// Ends the last line, if tokens were printed.
  void finish();

 private:
  std::ostream& out_;
  std::set<std::string> agents_;
  bool is_terminal_;
  std::mutex mutex_;
  std::string speaking_; // the agent whose tokens were printed last
};

} // namespace tutti::cli
