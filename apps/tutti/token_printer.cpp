#include "token_printer.hpp"

#include "terminal_text.hpp"

#include <ostream>
#include <utility>

namespace tutti::cli {

token_printer::token_printer(std::ostream& out, std::set<std::string> agents, bool is_terminal,
                             bool hold_lines)
    : out_(out), agents_(std::move(agents)), is_terminal_(is_terminal), hold_lines_(hold_lines) {}

namespace {

// The agent an event is of: NAME for NAME or for NAME[i], an instance of the fan-out NAME.
std::string_view agent_named(std::string_view name) {
  if (name.empty() || name.back() != ']') {
    return name;
  }
  const auto open = name.rfind('[');
  return open == std::string_view::npos ? name : name.substr(0, open);
}

} // namespace

void token_printer::end_line(const std::string& agent, std::string& text) {
  auto line = agents_.size() > 1 || has_instances_
                  ? "[" + agent + "]" + (text.empty() ? "" : " " + text) + '\n'
                  : text + '\n';
  text.clear();
  if (hold_lines_) {
    held_.push_back(std::move(line));
  } else {
    out_ << line << std::flush;
  }
}

void token_printer::apply(const engine::run_event& event) {
  const bool is_token = event.kind == engine::run_event_kind::token;
  if ((!is_token && event.kind != engine::run_event_kind::finished) ||
      agents_.count(std::string{agent_named(event.agent)}) == 0) {
    return;
  }
  std::lock_guard lock{mutex_};
  has_instances_ = has_instances_ || agent_named(event.agent).size() != event.agent.size();
  const auto text = is_terminal_ ? terminal_safe(event.text) : event.text;
  if (!is_line_mode()) {
    if (is_token) {
      out_ << text << std::flush;
      raw_line_open_ = !text.empty() ? text.back() != '\n' : raw_line_open_;
    }
    return;
  }
  auto& partial = partial_[event.agent];
  if (!is_token) {
    if (!partial.empty()) {
      // An agent cut short (failed, cancelled, timed out) ends mid-line: say so, so that the
      // line is not taken for a whole one.
      if (event.status != engine::agent_status::success) {
        partial += " [" + std::string{engine::to_string(event.status)} + "]";
      }
      end_line(event.agent, partial);
    }
    return;
  }
  for (char c : text) {
    if (c == '\n') {
      end_line(event.agent, partial);
    } else {
      partial += c;
    }
  }
}

std::vector<std::string> token_printer::take_lines() {
  std::lock_guard lock{mutex_};
  return std::exchange(held_, {});
}

void token_printer::finish() {
  std::lock_guard lock{mutex_};
  for (auto& [agent, partial] : partial_) {
    if (!partial.empty()) {
      end_line(agent, partial);
    }
  }
  for (const auto& line : std::exchange(held_, {})) {
    out_ << line;
  }
  if (std::exchange(raw_line_open_, false)) {
    out_ << '\n';
  }
  out_.flush();
}

} // namespace tutti::cli
