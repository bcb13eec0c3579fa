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

} // namespace

progress_view::progress_view(const definition::resolved_ensemble& e)
    : progress_view([&] {
        std::vector<std::string> names;
        for (const auto& agent : e.agents) {
          names.push_back(agent.name);
        }
        return names;
      }()) {}

progress_view::progress_view(const std::vector<std::string>& agents) {
  for (const auto& name : agents) {
    index_.emplace(name, agents_.size());
    agents_.push_back({name, std::nullopt, {}, 0, std::nullopt, 0});
    name_width_ = std::max(name_width_, name.size());
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
  } else if (event.kind == engine::run_event_kind::finished) {
    a->finished = event.status;
    a->finished_ms = event.at_ms;
  }
}

std::string progress_view::describe(const agent_line& a, double now_ms) const {
  std::string line = "  " + a.name + std::string(name_width_ - a.name.size() + 2, ' ');
  if (a.finished) {
    line += std::string{engine::to_string(*a.finished)};
    if (a.started_ms) {
      line += " " + seconds(a.finished_ms - *a.started_ms);
    }
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

std::vector<std::string> progress_view::lines(double now_ms) const {
  std::lock_guard lock{mutex_};
  std::vector<std::string> out;
  if (agents_.size() <= max_agent_lines) {
    for (const auto& a : agents_) {
      out.push_back(describe(a, now_ms));
    }
    return out;
  }
  std::size_t waiting = 0;
  std::size_t running = 0;
  std::size_t done = 0;
  for (const auto& a : agents_) {
    a.finished ? ++done : (a.started_ms ? ++running : ++waiting);
  }
  out.push_back("  " + std::to_string(done) + " done, " + std::to_string(running) + " running, " +
                std::to_string(waiting) + " waiting");
  for (const auto& a : agents_) {
    if (out.size() > max_agent_lines) {
      break;
    }
    if (a.started_ms && !a.finished) {
      out.push_back(describe(a, now_ms));
    }
  }
  return out;
}

} // namespace tutti::cli
