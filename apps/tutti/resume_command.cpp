// tutti resume ID: runs a kept run's ensemble again on its input, reusing what succeeded.
#include "commands.hpp"
#include "run_execution.hpp"

#include <tutti/store/resume_plan.hpp>

namespace tutti::cli {
namespace {

struct resume_arguments {
  std::string id;
  bool force = false;
  output_choice output;
  store_choice store;
  cluster_choice cluster;
};

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) {
    out += (out.empty() ? "" : ", ") + n;
  }
  return out;
}

} // namespace

void add_resume_command(CLI::App& app, command_state& state) {
  auto args = std::make_shared<resume_arguments>();
  auto* cmd = app.add_subcommand(
      "resume", "Run a kept run again on its input, reusing every agent that succeeded; a new "
                "run linked to the old one (exit codes as tutti run)");
  cmd->add_option("id", args->id, "Run id, or enough of its start to be unique")->required();
  cmd->add_flag("--force", args->force,
                "Resume though the ensemble changed since, reusing only the agents whose "
                "definition and inputs did not");
  add_output_options(cmd, args->output);
  add_store_options(cmd, args->store, false);
  add_cluster_options(cmd, args->cluster);
  cmd->callback([&state, args] {
    auto config = load_config_or_report(state);
    if (!config) {
      return;
    }
    auto fail = [&](const std::string& message) {
      state.ctx.err << "error: " << message << '\n';
      state.exit_code = exit_code::invalid_input;
    };
    auto stored = [&]() -> std::optional<store::stored_run> {
      auto s = open_existing_store_or_report(state, args->store, *config);
      if (!s) {
        return std::nullopt;
      }
      auto run = s->load(args->id);
      if (!run) {
        fail(run.error().message);
        return std::nullopt;
      }
      return std::move(run).value();
    }();
    if (!stored) {
      return;
    }
    const auto& old = stored->result;
    if (old.status == engine::run_status::running) {
      return fail("run " + old.id + " is still running; resume it once it has ended");
    }
    std::error_code ec;
    if (!std::filesystem::exists(stored->origin.file, ec)) {
      return fail("run " + old.id + " ran " + stored->origin.file +
                  ", which no longer exists; put it back to resume, or start afresh with "
                  "tutti run");
    }
    auto ensemble = load_ensemble_or_report(state, stored->origin.file, *config);
    if (!ensemble) {
      return;
    }
    auto plan = store::plan_resume(*stored, *ensemble);
    if (!plan.is_unchanged() && !args->force) {
      return fail(stored->origin.file + " changed since run " + old.id + " (agents " +
                  joined(plan.changed) +
                  "); tutti resume --force reuses the results of the agents that did not");
    }
    engine::run_options options;
    options.mode = old.mode;
    options.scheduling = old.scheduling;
    options.max_concurrent_agents = old.max_concurrent_agents;
    options.resumed_from = old.id;
    if (!args->output.quiet && !args->output.json) {
      state.ctx.err << "resuming run " << old.id << ": reusing " << plan.reuse.size() << " of "
                    << ensemble->agents.size() << " agents' results\n";
    }
    options.reuse = std::move(plan.reuse);
    execute_run(state, *config, std::move(*ensemble), old.input, std::move(options), args->output,
                args->store, args->cluster);
  });
}

} // namespace tutti::cli
