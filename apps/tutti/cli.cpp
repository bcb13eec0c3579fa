#include "cli.hpp"

#include "commands.hpp"
#include "json_errors.hpp"
#include "option_checks.hpp"

#include <tutti/definition/nearest_name.hpp>
#include <tutti/definition/source_text.hpp>
#include <tutti/definition/value_ranges.hpp>

#include <CLI/CLI.hpp>

#include <ostream>

namespace tutti::cli {
namespace {

// The deepest subcommand the arguments chose: its options and its --help are the ones to name.
const CLI::App* chosen_command(const CLI::App& app) {
  const CLI::App* at = &app;
  while (!at->get_subcommands().empty()) {
    at = at->get_subcommands().front();
  }
  return at;
}

std::vector<std::string> option_names(const CLI::App& command) {
  std::vector<std::string> names;
  for (const auto* app = &command; app != nullptr; app = app->get_parent()) {
    for (const auto* option : app->get_options()) {
      for (const auto& name : option->get_lnames()) {
        names.push_back("--" + name);
      }
    }
  }
  return names;
}

// A usage mistake as the rest of tutti says errors: "error: ...", what to do, and for a
// misspelt option the nearest one.
void report_usage_error(const CLI::App& app, const CLI::ParseError& e, std::ostream& err) {
  const auto* command = chosen_command(app);
  const auto help =
      command == &app ? std::string{"tutti --help"} : "tutti " + command->get_name() + " --help";
  if (dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr) {
    // With fallthrough, what the command did not take is left to the app above it.
    std::vector<std::string> extras;
    for (const auto* at = command; at != nullptr && extras.empty(); at = at->get_parent()) {
      extras = at->remaining();
    }
    for (const auto& extra : extras) {
      if (extra.starts_with("-")) {
        const auto name = extra.substr(0, extra.find('='));
        err << "error: unknown option " << name
            << definition::did_you_mean(name, option_names(*command)) << "; see " << help << '\n';
      } else {
        err << "error: unexpected argument '" << extra << "'; see " << help << '\n';
      }
    }
    if (!extras.empty()) {
      return;
    }
  }
  err << "error: " << e.what() << "; see " << help << '\n';
}

// `--stream all` as `--stream=all`: the flag takes its value only after '=' otherwise.
std::vector<std::string> joined_stream_values(std::vector<std::string> args) {
  for (std::size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == "--stream" && (args[i + 1] == "all" || args[i + 1] == "last")) {
      args[i] += "=" + args[i + 1];
      args.erase(args.begin() + static_cast<std::ptrdiff_t>(i) + 1);
    }
  }
  return args;
}

// The command the arguments name, run; with `json_errors`, the problems of files it found are
// kept in `problems` rather than printed.
int run_commands(const std::vector<std::string>& args, const cli_context& ctx, bool json_errors,
                 definition::diagnostics& problems) {
  CLI::App app{"tutti runs ensembles of LLM agents in parallel.", "tutti"};
  app.set_version_flag("--version", std::string{"tutti "} + TUTTI_VERSION);
  app.require_subcommand(1);
  app.fallthrough(); // global options such as --config may follow the subcommand
  command_state state{ctx, std::nullopt, exit_code::success, json_errors, {}, std::nullopt};
  app.add_option("--config", state.config_path,
                 "Configuration file (default: ./tutti.toml, then "
                 "$XDG_CONFIG_HOME/tutti/config.toml)");
  app.add_option("--max-definition-mib", state.max_definition_mib,
                 "Largest ensemble file to read, in MiB (default: [limits] max_definition_mib, "
                 "else " +
                     std::to_string(definition::default_max_definition_mib) + ")")
      ->check(
          number_from(definition::definition_mib_range.min, definition::definition_mib_range.max));
  add_init_command(app, state);
  add_doctor_command(app, state);
  add_validate_command(app, state);
  add_list_command(app, state);
  add_profiles_command(app, state);
  add_plan_command(app, state);
  add_run_command(app, state);
  add_runs_command(app, state);
  add_timeline_command(app, state);
  add_resume_command(app, state);
  add_mock_server_command(app, state);
  add_serve_command(app, state);
  add_convert_command(app, state);

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
    if (e.get_exit_code() == 0) {
      app.exit(e, ctx.out, ctx.err);
      return exit_code::success;
    }
    report_usage_error(app, e, ctx.err);
    return exit_code::invalid_input;
  }
  problems = std::move(state.problems);
  return state.exit_code;
}

} // namespace

int run_cli(const std::vector<std::string>& given, const cli_context& ctx) {
  const auto args = joined_stream_values(given);
  if (std::find(args.begin(), args.end(), "--json") == args.end()) {
    definition::diagnostics unused;
    return run_commands(args, ctx, false, unused);
  }
  // With --json, the errors are said as one JSON document on standard output, at the end.
  error_capture capture{ctx.err};
  std::ostream err{&capture};
  const cli_context json_ctx{
      ctx.working_dir,    ctx.env, ctx.in, ctx.out, err, ctx.in_is_terminal, ctx.err_is_terminal,
      ctx.out_is_terminal};
  definition::diagnostics problems;
  const int code = run_commands(args, json_ctx, true, problems);
  if (code == exit_code::invalid_input) {
    ctx.out << errors_json(problems, capture.errors()) << '\n';
  }
  return code;
}

} // namespace tutti::cli
