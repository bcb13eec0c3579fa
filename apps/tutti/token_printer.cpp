#include "token_printer.hpp"

#include "terminal_text.hpp"

#include <ostream>

namespace tutti::cli {

token_printer::token_printer(std::ostream& out, std::set<std::string> agents, bool is_terminal)
    : out_(out), agents_(std::move(agents)), is_terminal_(is_terminal) {}

void token_printer::apply(const engine::run_event& event) {
  if (event.kind != engine::run_event_kind::token || agents_.count(event.agent) == 0) {
    return;
  }
  std::lock_guard lock{mutex_};
  if (speaking_ != event.agent) {
    out_ << (speaking_.empty() ? "" : "\n") << "[" << event.agent << "] ";
    speaking_ = event.agent;
  }
  out_ << (is_terminal_ ? terminal_safe(event.text) : event.text) << std::flush;
}

void token_printer::finish() {
  std::lock_guard lock{mutex_};
  if (!speaking_.empty()) {
    out_ << '\n';
    speaking_.clear();
  }
}

} // namespace tutti::cli
