// How a run's result reads as text. `tutti run` prints the answer (the responses asked for) on
// standard output and the summary (each agent's status, errors, totals, tokens and cost) on
// standard error, so that `$(tutti run x)` is the answer alone; `tutti runs show` prints both
// on standard output.
#pragma once

#include <tutti/engine/run_result.hpp>

#include <iosfwd>
#include <set>
#include <string>

namespace tutti::cli {

/// The responses of the `shown` agents that succeeded, except those `streamed` already, in
/// definition order: one agent's text alone, several under "## NAME" headings. On a terminal,
/// control characters are escaped.
void print_answers(std::ostream& out, const engine::run_result& r,
                   const std::set<std::string>& shown, const std::set<std::string>& streamed,
                   bool is_terminal);

struct summary_detail {
  bool every_agent = false; // a line for each agent, with its tokens and cost; else only for
                            // those that did not succeed
  bool responses = false;   // each response under its agent's line (tutti runs show)
};

/// Agents' lines (with the error of each that did not succeed), then the run's line: status,
/// agents that succeeded, elapsed time, mode, the speedup when it means something; then the
/// tokens in and out and, when prices are known, the cost.
void print_summary(std::ostream& out, const engine::run_result& r, summary_detail detail,
                   bool is_terminal);

/// Each resource group's and cap's statistics as a table (`--stats`).
void print_statistics(std::ostream& out, const engine::run_result& r);

/// "2.50 s"
std::string seconds(double ms);

/// "$0.0123"
std::string dollars(double usd);

} // namespace tutti::cli
