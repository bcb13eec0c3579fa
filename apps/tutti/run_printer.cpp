#include "run_printer.hpp"

#include "command_support.hpp"
#include "terminal_text.hpp"
#include "text_table.hpp"

#include <algorithm>
#include <cstdio>
#include <ostream>
#include <sstream>

namespace tutti::cli {
namespace {

void print_indented(std::ostream& out, const std::string& text) {
  std::istringstream lines{text};
  for (std::string line; std::getline(lines, line);) {
    out << (line.empty() ? "" : "  ") << line << '\n';
  }
}

std::string milliseconds(double ms) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", ms);
  return text;
}

} // namespace

std::string seconds(double ms) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f s", ms / 1000.0);
  return text;
}

void print_result(std::ostream& out, const engine::run_result& r,
                  const std::set<std::string>& streamed, bool is_terminal) {
  for (const auto& a : r.agents) {
    out << a.name << "  " << engine::to_string(a.status);
    if (a.reused) {
      out << "  (reused from run " << r.resumed_from << ")";
    }
    if (a.started_ms) {
      out << "  " << seconds(a.duration_ms);
    }
    out << '\n';
    const bool is_success = a.status == engine::agent_status::success;
    if (!is_success || streamed.count(a.name) == 0) {
      const auto& text = is_success ? a.response : a.error;
      print_indented(out, is_terminal ? terminal_safe(text) : text);
    }
  }
  const auto succeeded = std::count_if(r.agents.begin(), r.agents.end(), [](const auto& a) {
    return a.status == engine::agent_status::success;
  });
  if (r.status == engine::run_status::running) {
    out << "\nrunning: " << succeeded << " of " << r.agents.size()
        << " agents have succeeded so far\n";
    return;
  }
  if (r.status == engine::run_status::interrupted) {
    out << "\ninterrupted: " << succeeded << " of " << r.agents.size()
        << " agents had succeeded when its process ended; tutti resume " << r.id
        << " runs the rest\n";
    return;
  }
  out << '\n'
      << engine::to_string(r.status) << ": " << succeeded << " of " << r.agents.size()
      << " agents succeeded in " << seconds(r.elapsed_ms) << " (" << engine::to_string(r.mode)
      << "); agent time " << seconds(r.total_agent_ms());
  // Only when agents overlapped enough to show: a chain of dependants, one agent or a
  // sequential run would print "1.0x" (or less, with queueing), which says nothing.
  const double speedup = r.elapsed_ms > 0 ? r.total_agent_ms() / r.elapsed_ms : 0.0;
  if (speedup >= 1.1) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1fx", speedup);
    out << ", " << text << " speedup";
  }
  out << '\n';
}

void print_statistics(std::ostream& out, const engine::run_result& r) {
  if (r.resources.empty() && r.caps.empty()) {
    out << "\nresources: none recorded (a run's statistics are kept when it ends)\n";
    return;
  }
  out << "\nresources:\n";
  text_table table{{"GROUP", "RESOURCE", "LIMIT", "ACTIVE", "PENDING", "PEAK", "DONE", "FAILED",
                    "TIMED OUT", "CANCELLED", "BACKOFF", "WAIT MS MEAN/P50/P95/MAX", "NOTE"}};
  std::vector<const resources::group_statistics*> rows;
  for (const auto& g : r.resources) {
    rows.push_back(&g);
  }
  for (const auto& cap : r.caps) {
    rows.push_back(&cap); // the run's and the engine's caps, rows of their own
  }
  for (const auto* row : rows) {
    const auto& g = *row;
    table.add_row({g.id, g.resource, resources::limit_text(g), std::to_string(g.active),
                   std::to_string(g.pending), std::to_string(g.peak_active),
                   std::to_string(g.completed), std::to_string(g.failed),
                   std::to_string(g.timed_out), std::to_string(g.cancelled), g.backoff,
                   milliseconds(g.wait_mean_ms) + "/" + milliseconds(g.wait_p50_ms) + "/" +
                       milliseconds(g.wait_p95_ms) + "/" + milliseconds(g.wait_max_ms),
                   g.note});
  }
  table.print(out, 2);
  for (const auto& g : r.resources) {
    print_spellings(out, g.id, g.spellings);
  }
}

} // namespace tutti::cli
