// tutti timeline RUN.json|RUN-ID -o run.svg: a run pictured as an SVG timeline.
#include "commands.hpp"
#include "run_execution.hpp"
#include "store_access.hpp"

#include <tutti/engine/run_json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace tutti::cli {
namespace {

struct timeline_arguments {
  std::string run;
  std::string output;
  store_choice store;
};

// The run a file of `tutti run --json` holds, else the stored run of that id; nullopt with
// the problem printed.
std::optional<engine::run_result> run_named(command_state& state, const timeline_arguments& args) {
  const auto path = state.ctx.working_dir / args.run;
  if (std::error_code ec; std::filesystem::is_regular_file(path, ec)) {
    std::ifstream file{path, std::ios::binary};
    std::ostringstream text;
    text << file.rdbuf();
    auto run = engine::run_result_from_json(text.str());
    if (!run) {
      state.ctx.err << "error: " << args.run
                    << ": not the JSON of a run (write one with tutti run --json, or tutti runs "
                       "show ID --json)\n";
      state.exit_code = exit_code::invalid_input;
    }
    return run;
  }
  auto config = load_config_or_report(state);
  if (!config) {
    return std::nullopt;
  }
  auto store = open_existing_store_or_report(state, args.store, *config);
  if (!store) {
    return std::nullopt;
  }
  auto stored = store->load(args.run);
  if (!stored) {
    state.ctx.err << "error: " << args.run
                  << " is neither a file nor a kept run: " << stored.error().message << '\n';
    state.exit_code = exit_code::invalid_input;
    return std::nullopt;
  }
  return stored->result;
}

} // namespace

void add_timeline_command(CLI::App& app, command_state& state) {
  auto* cmd = app.add_subcommand(
      "timeline", "Picture a run as an SVG timeline: a lane per agent by resource group (a "
                  "density lane per group for large runs), queued, running and retry-wait bars, "
                  "phase boundaries and the critical path");
  auto args = std::make_shared<timeline_arguments>();
  cmd->add_option("run", args->run,
                  "The JSON of a run (tutti run --json > run.json), or a kept run's id")
      ->required();
  cmd->add_option("-o,--output", args->output, "The SVG file to write")->required();
  add_store_options(cmd, args->store, false);
  cmd->callback([&state, args] {
    if (auto run = run_named(state, *args)) {
      if (auto problem = write_timeline(state, *run, args->output)) {
        state.ctx.err << "error: " << *problem << '\n';
        state.exit_code = exit_code::invalid_input;
      }
    }
  });
}

} // namespace tutti::cli
