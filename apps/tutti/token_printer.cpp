#include "token_printer.hpp"

#include <ostream>

namespace tutti::cli {

token_printer::token_printer(std::ostream& out, std::set<std::string> agents)
    : out_(out), agents_(std::move(agents)) {}

void token_printer::apply(const engine::run_event& event) {
  if (event.kind != engine::run_event_kind::token || agents_.count(event.agent) == 0) {
    return;
  }
  std::lock_guard lock{mutex_};
  if (speaking_ != event.agent) {
    out_ << (speaking_.empty() ? "" : "\n") << "[" << event.agent << "] ";
    speaking_ = event.agent;
  }
  out_ << event.text << std::flush;
}

void token_printer::finish() {
  std::lock_guard lock{mutex_};
  if (!speaking_.empty()) {
    out_ << '\n';
    speaking_.clear();
  }
}

} // namespace tutti::cli
