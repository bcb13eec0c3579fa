#include "run_printer.hpp"

#include "command_support.hpp"
#include "terminal_text.hpp"
#include "text_table.hpp"

#include <algorithm>
#include <cstdio>
#include <ostream>
#include <sstream>
#include <vector>

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

void print_answers(std::ostream& out, const engine::run_result& r,
                   const std::set<std::string>& shown, const std::set<std::string>& streamed,
                   bool is_terminal) {
  std::vector<const engine::agent_result*> answers;
  for (const auto& a : r.agents) {
    if (shown.count(a.name) != 0 && streamed.count(a.name) == 0 &&
        (a.status == engine::agent_status::success || a.status == engine::agent_status::partial)) {
      answers.push_back(&a);
    }
  }
  const bool is_alone = shown.size() == 1;
  for (std::size_t i = 0; i < answers.size(); ++i) {
    const auto& a = *answers[i];
    if (!is_alone) {
      out << (i == 0 ? "" : "\n") << "## " << a.name << "\n\n";
    }
    const auto text = is_terminal ? terminal_safe(a.response) : a.response;
    out << text << (text.empty() || text.back() != '\n' ? "\n" : "");
  }
}

std::string dollars(double usd) {
  char text[32];
  std::snprintf(text, sizeof text, usd < 0.01 && usd > 0 ? "$%.6f" : "$%.4f", usd);
  return text;
}

namespace {

std::string tokens_text(const providers::token_usage& u) {
  auto count = [](const std::optional<std::int64_t>& n) {
    return n ? std::to_string(*n) : std::string{"?"};
  };
  return count(u.input_tokens) + " in, " + count(u.output_tokens) + " out";
}

void print_agent(std::ostream& out, const engine::run_result& r, const engine::agent_result& a,
                 summary_detail detail, bool is_terminal) {
  out << a.name << "  " << engine::to_string(a.status);
  if (a.reused) {
    out << "  (reused from run " << r.resumed_from << ")";
  }
  if (a.started_ms) {
    out << "  " << seconds(a.duration_ms);
  }
  if (detail.every_agent && a.usage.is_known()) {
    out << "  " << tokens_text(a.usage);
  }
  if (detail.every_agent && a.cost_usd) {
    out << "  " << dollars(*a.cost_usd);
  }
  out << '\n';
  const bool is_success = a.status == engine::agent_status::success;
  if (!is_success || detail.responses) {
    const auto& text = is_success ? a.response : a.error;
    print_indented(out, is_terminal ? terminal_safe(text) : text);
  }
}

void print_usage(std::ostream& out, const engine::run_totals& t) {
  if (t.input_tokens == 0 && t.output_tokens == 0 && !t.cost_usd) {
    return; // nothing called a model that said what it took
  }
  out << "tokens: " << t.input_tokens << " in, " << t.output_tokens << " out";
  if (t.without_usage > 0) {
    out << " (" << t.without_usage << " agent" << (t.without_usage == 1 ? "" : "s")
        << " not counted: the backend did not say)";
  }
  if (t.cost_usd) {
    out << "; cost " << dollars(*t.cost_usd);
    if (t.without_cost > 0) {
      out << " and " << t.without_cost << " agent" << (t.without_cost == 1 ? "" : "s")
          << " of unknown cost (add [prices.\"MODEL\"] to tutti.toml)";
    }
  }
  out << '\n';
}

} // namespace

void print_summary(std::ostream& out, const engine::run_result& r, summary_detail detail,
                   bool is_terminal) {
  for (const auto& a : r.agents) {
    if (detail.every_agent || a.status != engine::agent_status::success) {
      print_agent(out, r, a, detail, is_terminal);
    }
  }
  if (detail.responses && !r.agents.empty()) {
    out << '\n'; // the responses end here
  }
  const auto t = engine::totals_of(r);
  if (r.status == engine::run_status::running) {
    out << "running: " << t.succeeded << " of " << t.agents << " agents have succeeded so far\n";
    return;
  }
  if (r.status == engine::run_status::interrupted) {
    out << "interrupted: " << t.succeeded << " of " << t.agents
        << " agents had succeeded when its process ended; tutti resume " << r.id
        << " runs the rest\n";
    return;
  }
  out << engine::to_string(r.status) << ": " << t.succeeded << " of " << t.agents
      << " agents succeeded";
  if (t.partial > 0) {
    out << ", " << t.partial << " in part (some of their instances failed)";
  }
  if (t.skipped_by_condition > 0) {
    out << ", " << t.skipped_by_condition << " skipped by conditions";
  }
  if (t.partial > 0 || t.skipped_by_condition > 0) {
    out << ',';
  }
  out << " in " << seconds(r.elapsed_ms) << " (" << engine::to_string(r.mode)
      << (r.scheduling == definition::scheduling_policy::eager ? ", eager" : "") << "); agent time "
      << seconds(t.agent_ms);
  // Only when agents overlapped enough to show: a chain of dependants, one agent or a
  // sequential run would print "1.0x" (or less, with queueing), which says nothing.
  // Nor for a run stopped early: its agents' time was cut short, not saved.
  const bool ran_out =
      r.status == engine::run_status::cancelled || r.status == engine::run_status::timeout;
  const double speedup = r.elapsed_ms > 0 ? t.agent_ms / r.elapsed_ms : 0.0;
  if (speedup >= 1.1 && !ran_out) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1fx", speedup);
    out << ", " << text << " speedup";
  }
  out << '\n';
  print_usage(out, t);
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
