// Which run store a command uses, and opening it with its problems reported.
#pragma once

#include "command_support.hpp"

#include <tutti/store/run_store.hpp>
#include <tutti/store/store_recorder.hpp>

#include <CLI/CLI.hpp>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace tutti::cli {

struct store_choice {
  std::optional<std::string> path; // --store
  bool none = false;               // --no-store
};

/// Adds --store (and, for commands that run, --no-store) to `cmd`.
void add_store_options(CLI::App* cmd, store_choice& choice, bool can_do_without);

/// --store, else the configuration's [store] path, else the default under the XDG state
/// folder; nullopt when none can be named (no HOME).
std::optional<std::filesystem::path> store_path_for(const command_state& state,
                                                    const store_choice& choice,
                                                    const definition::config& config);

/// The store for a command that reads or removes runs: it must exist. Problems are printed
/// and the exit code set.
std::unique_ptr<store::run_store> open_existing_store_or_report(command_state& state,
                                                                const store_choice& choice,
                                                                const definition::config& config);

/// The store's writing thread for the runs of this command, or none: --no-store, no store can
/// be named, or it cannot be written (a warning says so). nullopt, with the error printed,
/// when the file is not a store: that needs a person, not runs that quietly keep nothing.
std::optional<std::shared_ptr<store::store_writer>>
open_store_writer_or_report(command_state& state, const definition::config& config,
                            const store_choice& choice);

} // namespace tutti::cli
