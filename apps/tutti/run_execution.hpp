// Carrying out a run as `tutti run` and `tutti resume` do: live progress or streamed tokens,
// Ctrl-C, the record in the run store, the printed result and the exit code.
#pragma once

#include "cluster_access.hpp"
#include "command_support.hpp"
#include "store_access.hpp"

#include <tutti/engine/run_options.hpp>

#include <optional>
#include <string>

namespace tutti::cli {

struct output_choice {
  bool json = false;
  bool quiet = false;
  bool stats = false;
  std::string stream;                  // "", "last" or "all"
  std::string show;                    // "", "all" or agent names, comma-separated
  std::optional<std::string> timeline; // --timeline: an SVG of the run, written at its end
};

/// Adds --json, --quiet, --stream and --stats to `cmd`.
void add_output_options(CLI::App* cmd, output_choice& choice);

/// Writes the SVG timeline of `run` to `path` (relative to the working folder) and says so on
/// standard error; when the file cannot be written, what went wrong.
std::optional<std::string> write_timeline(command_state& state, const engine::run_result& run,
                                          const std::string& path);

/// Whether --timeline, if given, names a file that can be written (checked before a run, so
/// that a run is not spent to find out); false with the error printed and exit code 2.
bool timeline_writable_or_report(command_state& state, const output_choice& output);

/// Runs `e` on `input` and prints the result; the run is kept in the store unless the store
/// choice says not to or the store cannot take it (then a warning says so and the run goes
/// on). Sets the exit code: 0 when every agent succeeded, 1 when not, 2 when nothing ran.
void execute_run(command_state& state, const definition::config& config,
                 definition::resolved_ensemble e, std::string input, engine::run_options options,
                 const output_choice& output, const store_choice& store,
                 const cluster_choice& cluster);

/// Runs `request` (the body of POST /v1/runs) on the tutti server at `url` and prints the
/// result as execute_run does, with the same exit codes; Ctrl-C cancels the run there.
void execute_remote_run(command_state& state, const std::string& url, const std::string& token,
                        const std::string& request, const output_choice& output);

} // namespace tutti::cli
