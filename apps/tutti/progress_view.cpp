#include "progress_view.hpp"

#include <algorithm>
#include <cstdio>

namespace tutti::cli {
namespace {

std::string seconds(double ms) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f s", ms / 1000.0);
  return text;
}

// "HTTP 429" of "HTTP 429 from backend 'b': ...", else the error's first words.
std::string short_reason(const std::string& error) {
  constexpr std::size_t most = 40;
  if (error.starts_with("HTTP ")) {
    return error.substr(0, error.find(' ', 5));
  }
  return error.size() <= most ? error : error.substr(0, most) + "...";
}

// Columns a UTF-8 text takes, counting each code point as one.
std::size_t columns(const std::string& text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

// `line` cut to `width` columns, never inside a code point.
std::string clipped(std::string line, std::size_t width) {
  if (width == 0 || columns(line) <= width) {
    return line;
  }
  std::size_t kept = 0;
  std::size_t at = 0;
  for (; at < line.size(); ++at) {
    if ((static_cast<unsigned char>(line[at]) & 0xC0) != 0x80 && kept++ == width - 1) {
      break;
    }
  }
  line.resize(at);
  return line + "~";
}

} // namespace

progress_view::progress_view(std::string title, const std::vector<std::string>& agents)
    : title_(std::move(title)) {
  for (const auto& name : agents) {
    index_.emplace(name, agents_.size());
    agents_.push_back({name, std::nullopt, {}, 0, std::nullopt, 0, {}, 0, 0, 0});
    name_width_ = std::max(name_width_, columns(name));
  }
}

void progress_view::apply(const engine::run_event& event) {
  std::lock_guard lock{mutex_};
  auto found = index_.find(event.agent);
  if (found == index_.end()) {
    return;
  }
  auto* a = &agents_[found->second];
  if (event.kind == engine::run_event_kind::waiting) {
    a->waiting_for = event.group;
    a->ahead = event.ahead;
  } else if (event.kind == engine::run_event_kind::started) {
    a->started_ms = event.at_ms;
    a->retry_after.clear();
  } else if (event.kind == engine::run_event_kind::retry) {
    a->retry_after = short_reason(event.text);
    a->retry_at_ms = event.at_ms + event.delay_ms;
    a->next_attempt = event.attempt + 1;
    a->max_attempts = event.max_attempts;
  } else if (event.kind == engine::run_event_kind::finished) {
    a->finished = event.status;
    a->finished_ms = event.at_ms;
  }
}

std::string progress_view::describe(const agent_line& a, double now_ms,
                                    std::size_t name_width) const {
  auto name = clipped(a.name, name_width);
  std::string line =
      "  " + name + std::string(name_width + 2 - std::min(name_width, columns(name)), ' ');
  if (a.finished) {
    line += std::string{engine::to_string(*a.finished)};
    if (a.started_ms) {
      line += " " + seconds(a.finished_ms - *a.started_ms);
    }
  } else if (!a.retry_after.empty() && now_ms < a.retry_at_ms) {
    line += "retrying after " + a.retry_after + " in " + seconds(a.retry_at_ms - now_ms) +
            ", attempt " + std::to_string(a.next_attempt) + "/" + std::to_string(a.max_attempts);
  } else if (a.started_ms) {
    // A server's clock started first: its times may run a little ahead of ours.
    line += "running " + seconds(std::max(0.0, now_ms - *a.started_ms));
  } else if (!a.waiting_for.empty()) {
    line += "queued (" + a.waiting_for + ", " + std::to_string(a.ahead) + " ahead)";
  } else {
    line += "waiting";
  }
  return line;
}

std::vector<std::string> progress_view::lines(double now_ms, std::size_t width) const {
  std::lock_guard lock{mutex_};
  // A long name gives way before the status does: at least 30 columns are kept for it.
  constexpr std::size_t status_columns = 30;
  constexpr std::size_t least_name = 8;
  const auto room =
      width > status_columns + 4 + least_name ? width - status_columns - 4 : least_name;
  const auto name_width = width == 0 ? name_width_ : std::min(name_width_, room);
  std::vector<std::string> out{title_};
  if (agents_.size() <= max_agent_lines) {
    for (const auto& a : agents_) {
      out.push_back(describe(a, now_ms, name_width));
    }
  } else {
    counted_lines(out, now_ms, name_width);
  }
  for (auto& line : out) {
    line = clipped(std::move(line), width);
  }
  return out;
}

void progress_view::counted_lines(std::vector<std::string>& out, double now_ms,
                                  std::size_t name_width) const {
  std::size_t waiting = 0;
  std::size_t running = 0;
  std::size_t done = 0;
  for (const auto& a : agents_) {
    a.finished ? ++done : (a.started_ms ? ++running : ++waiting);
  }
  out.push_back("  " + std::to_string(done) + " done, " + std::to_string(running) + " running, " +
                std::to_string(waiting) + " waiting");
  for (const auto& a : agents_) {
    if (out.size() > max_agent_lines + 1) {
      break;
    }
    if (a.started_ms && !a.finished) {
      out.push_back(describe(a, now_ms, name_width));
    }
  }
}

} // namespace tutti::cli
