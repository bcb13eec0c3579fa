#include "cli.hpp"

#include "commands.hpp"

#include <tutti/definition/nearest_name.hpp>

#include <CLI/CLI.hpp>

namespace tutti::cli {

int run_cli(const std::vector<std::string>& args, const cli_context& ctx) {
  CLI::App app{"tutti runs ensembles of LLM agents in parallel.", "tutti"};
  app.set_version_flag("--version", std::string{"tutti "} + TUTTI_VERSION);
  app.require_subcommand(1);
  app.fallthrough(); // global options such as --config may follow the subcommand
  command_state state{ctx, std::nullopt, exit_code::success};
  app.add_option("--config", state.config_path,
                 "Configuration file (default: ./tutti.toml, then "
                 "$XDG_CONFIG_HOME/tutti/config.toml)");
  add_validate_command(app, state);
  add_list_command(app, state);
  add_profiles_command(app, state);
  add_plan_command(app, state);
  add_run_command(app, state);
  add_runs_command(app, state);
  add_resume_command(app, state);
  add_mock_server_command(app, state);
  add_serve_command(app, state);

  // CLI11 reports a misspelt command as a missing one; name it and suggest the right one.
  if (args.size() > 1 && !args[1].starts_with("-")) {
    std::vector<std::string> commands;
    for (const auto* sub : app.get_subcommands({})) {
      commands.push_back(sub->get_name());
    }
    if (std::find(commands.begin(), commands.end(), args[1]) == commands.end()) {
      ctx.err << "error: unknown command '" << args[1] << "'"
              << definition::did_you_mean(args[1], commands) << "; see tutti --help\n";
      return exit_code::invalid_input;
    }
  }
  std::vector<const char*> argv;
  for (const auto& a : args) {
    argv.push_back(a.c_str());
  }
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::ParseError& e) {
    // Help and --version are "errors" that exit 0; everything else is a usage mistake.
    return app.exit(e, ctx.out, ctx.err) == 0 ? exit_code::success : exit_code::invalid_input;
  }
  return state.exit_code;
}

} // namespace tutti::cli
