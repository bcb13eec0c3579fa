#include "store_access.hpp"

#include <tutti/store/default_store_path.hpp>

#include <ostream>

namespace tutti::cli {

void add_store_options(CLI::App* cmd, store_choice& choice, bool can_do_without) {
  auto* path = cmd->add_option("--store", choice.path,
                               "Run store file (default: [store] path, else "
                               "$XDG_STATE_HOME/tutti/runs.db or ~/.local/state/tutti/runs.db)")
                   ->check(CLI::Validator(
                       [](std::string& value) {
                         return value.empty() ? std::string{"must not be empty"} : std::string{};
                       },
                       "PATH"));
  if (can_do_without) {
    cmd->add_flag("--no-store", choice.none, "Keep no record of the runs")->excludes(path);
  }
}

std::optional<std::filesystem::path> store_path_for(const command_state& state,
                                                    const store_choice& choice,
                                                    const definition::config& config) {
  if (choice.path) {
    return state.ctx.working_dir / *choice.path;
  }
  if (config.store_path) {
    return state.ctx.working_dir / *config.store_path;
  }
  return store::default_store_path(state.ctx.env);
}

std::unique_ptr<store::run_store> open_existing_store_or_report(command_state& state,
                                                                const store_choice& choice,
                                                                const definition::config& config) {
  auto path = store_path_for(state, choice, config);
  if (!path) {
    state.ctx.err << "error: no run store: set XDG_STATE_HOME or HOME, or give --store PATH\n";
    state.exit_code = exit_code::invalid_input;
    return nullptr;
  }
  store::store_options options;
  options.create = false;
  auto opened = store::run_store::open(*path, options);
  if (!opened) {
    state.ctx.err << "error: " << opened.error().message << '\n';
    state.exit_code = exit_code::invalid_input;
    return nullptr;
  }
  return std::move(opened).value();
}

std::optional<std::shared_ptr<store::store_writer>>
open_store_writer_or_report(command_state& state, const definition::config& config,
                            const store_choice& choice) {
  if (choice.none) {
    return std::shared_ptr<store::store_writer>{};
  }
  auto path = store_path_for(state, choice, config);
  if (!path) {
    state.ctx.err << "warning: runs are not kept: set XDG_STATE_HOME or HOME, or give "
                     "--store PATH (--no-store to say so)\n";
    return std::shared_ptr<store::store_writer>{};
  }
  auto opened = store::run_store::open(*path);
  if (!opened) {
    const auto& error = opened.error();
    if (error.code == store::store_errc::not_a_store) {
      state.ctx.err << "error: " << error.message
                    << "; move it away, or run with --store PATH or --no-store\n";
      state.exit_code = exit_code::invalid_input;
      return std::nullopt;
    }
    state.ctx.err << "warning: " << error.message << "; runs are not kept\n";
    return std::shared_ptr<store::store_writer>{};
  }
  // A failure is printed once the run is over (the writer keeps it), not from its thread.
  return std::make_shared<store::store_writer>(std::move(opened).value(), nullptr);
}

} // namespace tutti::cli
