// How a run's result reads as text: what `tutti run` prints, and `tutti runs show` again.
#pragma once

#include <tutti/engine/run_result.hpp>

#include <iosfwd>
#include <set>
#include <string>

namespace tutti::cli {

/// Each agent's status and duration, and its response unless it was streamed already, then a
/// summary line; on a terminal, control characters of responses and errors are escaped.
void print_result(std::ostream& out, const engine::run_result& r,
                  const std::set<std::string>& streamed, bool is_terminal);

/// Each resource group's and cap's statistics as a table (`--stats`).
void print_statistics(std::ostream& out, const engine::run_result& r);

/// "2.50 s"
std::string seconds(double ms);

} // namespace tutti::cli
