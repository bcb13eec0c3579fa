// What the commands share: global options, loading with errors printed, and the exit code.
#pragma once

#include "cli.hpp"
#include "exit_code.hpp"

#include <tutti/definition/config.hpp>
#include <tutti/definition/duration_text.hpp>
#include <tutti/definition/outcome.hpp>
#include <tutti/definition/resolved_ensemble.hpp>
#include <tutti/definition/run_overrides.hpp>

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace tutti::cli {

struct command_state {
  const cli_context& ctx;
  std::optional<std::string> config_path; // --config
  int exit_code = exit_code::success;
  bool json_errors = false;              // --json: errors are printed as JSON at the end
  definition::diagnostics problems;      // those print_problems kept for it
  std::optional<int> max_definition_mib; // --max-definition-mib, over the configuration's
};

/// Prints each problem on its own line to the error stream, as file:line:col: field: message;
/// with --json, keeps them for the JSON of the command's errors.
void print_problems(command_state& state, const definition::diagnostics& problems);

/// The configuration for this invocation (with --max-definition-mib over its limit); problems
/// are printed and the exit code set.
std::optional<definition::config> load_config_or_report(command_state& state);

/// The largest ensemble file this invocation reads, in bytes: --max-definition-mib, else the
/// configuration's, else the default (for commands that do without a valid configuration).
std::size_t definition_limit_bytes(const command_state& state);

/// The ensemble a NAME or FILE argument refers to, with a run's overrides, checked and bound to
/// `config` (backends that reach one server must agree on its limit); problems are printed and
/// the exit code set.
std::optional<definition::resolved_ensemble>
load_ensemble_or_report(command_state& state, const std::string& name_or_path,
                        const definition::config& config,
                        const definition::run_overrides& overrides = {});

/// "  group http://localhost:11434 is also reached as http://127.0.0.1:11434/v1", when it is.
void print_spellings(std::ostream& out, const std::string& group,
                     const std::vector<std::string>& spellings);

} // namespace tutti::cli
