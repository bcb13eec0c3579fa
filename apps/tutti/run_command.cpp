// tutti run NAME|FILE: runs an ensemble and prints each agent's result, or the JSON result.
#include "commands.hpp"
#include "option_checks.hpp"
#include "run_execution.hpp"

#include <tutti/definition/nearest_name.hpp>
#include <tutti/definition/value_ranges.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace tutti::cli {
namespace {

struct run_arguments {
  std::string ensemble;
  std::optional<std::string> input;
  std::optional<std::string> input_file;
  bool sequential = false;
  bool eager = false;
  std::optional<int> max_concurrent;
  std::optional<int> priority;
  bool allow_empty = false;
  std::optional<std::string> server; // --server, else TUTTI_SERVER
  definition::run_overrides overrides;
  std::optional<double> timeout_seconds;
  std::optional<double> max_cost;
  bool include_prompts = false;
  output_choice output;
  store_choice store;
  cluster_choice cluster;
};

// Empty, or nothing but white space (`echo | tutti run x` pipes one newline).
bool is_blank(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; });
}

std::string read_all(std::istream& in) {
  std::ostringstream text;
  text << in.rdbuf();
  return std::move(text).str();
}

// --input, else --input-file (- for standard input), else standard input when it is not a
// terminal and not empty; nullopt when none was given. `unreadable` is set (with a message)
// when the file cannot be read, or the input given is empty without --allow-empty.
std::optional<std::string> given_input(command_state& state, const run_arguments& args,
                                       bool& unreadable) {
  std::optional<std::string> given = args.input;
  std::string from = "--input";
  if (args.input_file && *args.input_file == "-") {
    if (state.ctx.in_is_terminal) {
      state.ctx.err << "reading the input from standard input; end it with Ctrl-D\n";
    }
    given = read_all(state.ctx.in);
    from = "standard input (--input-file -)";
  } else if (args.input_file) {
    const auto path = state.ctx.working_dir / *args.input_file;
    std::ifstream file{path, std::ios::binary};
    if (std::error_code ec; !file || std::filesystem::is_directory(path, ec)) {
      state.ctx.err << "error: --input-file " << *args.input_file << ": "
                    << (file ? "is a folder, not a file" : "cannot read the input file") << '\n';
      unreadable = true;
      return std::nullopt;
    }
    given = read_all(file);
    from = "--input-file " + *args.input_file;
  } else if (!args.input && !state.ctx.in_is_terminal) {
    if (auto piped = read_all(state.ctx.in); !is_blank(piped)) {
      return piped;
    }
  }
  if (given && is_blank(*given) && !args.allow_empty) {
    state.ctx.err << "error: the input from " << from
                  << " is empty; give --allow-empty to run on no input\n";
    unreadable = true;
    return std::nullopt;
  }
  return given;
}

// The given input, else the ensemble's default_input. nullopt (with a message) when there is
// none or it is unreadable.
std::optional<std::string> input_for(command_state& state, const run_arguments& args,
                                     const definition::resolved_ensemble& e) {
  bool unreadable = false;
  if (auto given = given_input(state, args, unreadable); given || unreadable) {
    return given;
  }
  if (!e.default_input.empty()) {
    state.ctx.err << "no input given: using the default_input of " << e.name << '\n';
    return e.default_input;
  }
  state.ctx.err << "error: no input for " << e.name
                << ": give --input TEXT or --input-file PATH, pipe it on standard input, or "
                   "set default_input in "
                << e.file << '\n';
  return std::nullopt;
}

// The run on a tutti server: the ensemble is the server's, by name; the input, if none is
// given, its default_input there.
void run_on_server(command_state& state, const run_arguments& args, const std::string& url) {
  if (std::filesystem::is_regular_file(state.ctx.working_dir / args.ensemble)) {
    state.ctx.err << "error: " << args.ensemble
                  << " is a local file; with --server, name an ensemble the server has "
                     "(GET "
                  << url << "/v1/ensembles lists them)\n";
    state.exit_code = exit_code::invalid_input;
    return;
  }
  bool unreadable = false;
  auto input = given_input(state, args, unreadable);
  if (unreadable) {
    state.exit_code = exit_code::invalid_input;
    return;
  }
  nlohmann::json request{{"ensemble", args.ensemble}};
  if (input) {
    request["input"] = *input;
  }
  if (args.priority) {
    request["priority"] = *args.priority;
  }
  if (args.max_concurrent) {
    request["max_concurrent_agents"] = *args.max_concurrent;
  }
  if (args.sequential) {
    request["mode"] = "sequential";
  }
  if (args.eager) {
    request["scheduling"] = "eager";
  }
  execute_remote_run(state, url, state.ctx.env("TUTTI_TOKEN").value_or(""),
                     request.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                     args.output);
}

// --profile names a profile of the configuration; else an error lists those there are.
bool profile_exists_or_report(command_state& state, const std::optional<std::string>& profile,
                              const definition::config& config) {
  if (!profile || config.profiles.count(*profile) != 0) {
    return true;
  }
  std::vector<std::string> names;
  for (const auto& [name, p] : config.profiles) {
    names.push_back(name);
  }
  state.ctx.err << "error: --profile: unknown profile '" << *profile << "'"
                << (names.empty()
                        ? std::string{"; the configuration has none"}
                        : "; the profiles are " + definition::nearest_first(*profile, names))
                << '\n';
  state.exit_code = exit_code::invalid_input;
  return false;
}

// --max-cost counts what it can price: agents whose model has no price count as free.
void warn_unpriced(command_state& state, const definition::resolved_ensemble& e,
                   const definition::config& config) {
  std::set<std::string> unpriced;
  definition::for_each_caller(e, [&](const definition::resolved_agent& agent) {
    if (!definition::price_of(config.prices, agent.model)) {
      unpriced.insert(agent.model);
    }
  });
  if (unpriced.empty()) {
    return;
  }
  state.ctx.err << "warning: --max-cost: no price for model";
  for (const auto& model : unpriced) {
    state.ctx.err << (model == *unpriced.begin() ? " '" : ", '") << model << "'";
  }
  state.ctx.err << "; its agents count as free (add [prices.\"MODEL\"] to tutti.toml)\n";
}

} // namespace

void add_run_command(CLI::App& app, command_state& state) {
  auto* cmd = app.add_subcommand(
      "run", "Run an ensemble; exit 0 when every agent succeeded, 1 when some did not or the "
             "deadline passed, 2 when nothing could run");
  auto args = std::make_shared<run_arguments>();
  cmd->add_option("ensemble", args->ensemble, "Ensemble file or name")->required();
  auto* input = cmd->add_option(
      "--input", args->input,
      "The input text; else --input-file, else standard input when piped, else the ensemble's "
      "default_input (said on standard error). Empty input is an error unless --allow-empty");
  cmd->add_option("--input-file", args->input_file,
                  "Read the input from a file (- : standard input)")
      ->excludes(input);
  cmd->add_flag("--allow-empty", args->allow_empty, "Run on an empty input");
  auto* sequential =
      cmd->add_flag("--sequential", args->sequential, "One agent at a time (the baseline)");
  cmd->add_flag("--eager", args->eager, "Start each agent as soon as its own dependencies are done")
      ->excludes(sequential);
  cmd->add_option("--max-concurrent", args->max_concurrent,
                  "Cap on agents in flight (a sequential run has one)")
      ->excludes(sequential)
      ->check(number_from(1, 1'000'000));
  cmd->add_option("--priority", args->priority,
                  "This run's place in every backend's queue, before its agents' own (1..10)")
      ->check(number_from(1, 10));
  cmd->add_option("--profile", args->overrides.profile,
                  "Every agent uses this profile: its server and model (tutti profiles lists "
                  "them)");
  cmd->add_option("--model", args->overrides.model,
                  "Every agent asks for this model, on the server it names");
  cmd->add_option("--set", args->overrides.settings,
                  "Change one agent's setting for this run: AGENT.FIELD=VALUE (model, backend, "
                  "provider, base_url, profile, prompt, system_prompt, temperature, max_tokens, "
                  "timeout_seconds, priority); may be given again")
      ->allow_extra_args(false);
  cmd->add_option("--timeout", args->timeout_seconds,
                  "The run's deadline in seconds, instead of the ensemble's timeout")
      ->check(number_from(0.001, definition::max_seconds, true));
  cmd->add_option("--max-cost", args->max_cost,
                  "Stop admitting agents once the cost spent plus an estimate of what runs "
                  "would pass this many US dollars; the rest are skipped (cost limit). Prices "
                  "come from [prices.\"MODEL\"] in tutti.toml and a few built in")
      ->check(number_from(0, 1e9, true));
  cmd->add_flag("--include-prompts", args->include_prompts,
                "Keep each agent's prompt as sent in the result (--json, the store)");
  cmd->add_option("--server", args->server,
                  "Run on a tutti server (tutti serve) at this URL, sharing its limits with "
                  "every client; TUTTI_SERVER says the same, TUTTI_TOKEN holds its token");
  add_output_options(cmd, args->output);
  add_store_options(cmd, args->store, true);
  add_cluster_options(cmd, args->cluster);
  cmd->callback([&state, args] {
    if (args->server && args->server->empty()) {
      state.ctx.err << "error: --server: give the server as http://HOST:PORT\n";
      state.exit_code = exit_code::invalid_input;
      return;
    }
    if (auto url = args->server ? args->server : state.ctx.env("TUTTI_SERVER");
        url && !url->empty()) {
      if (args->store.path || args->store.none) {
        state.ctx.err << "error: --store and --no-store choose where this process keeps runs; "
                         "on a server, the server keeps them (tutti serve --store)\n";
        state.exit_code = exit_code::invalid_input;
        return;
      }
      if (args->cluster.authority || args->cluster.tls) {
        state.ctx.err << "error: --authority and --cluster-tls make this process a cluster node; "
                         "on a server, the server's engine is the node (tutti serve "
                         "--authority)\n";
        state.exit_code = exit_code::invalid_input;
        return;
      }
      if (!args->overrides.is_empty() || args->timeout_seconds || args->max_cost ||
          args->include_prompts) {
        state.ctx.err << "error: --profile, --model, --set, --timeout, --max-cost and "
                         "--include-prompts change a run in this process; a server runs its "
                         "ensembles as its own files and configuration say\n";
        state.exit_code = exit_code::invalid_input;
        return;
      }
      run_on_server(state, *args, *url);
      return;
    }
    auto config = load_config_or_report(state);
    if (!config) {
      return;
    }
    if (!profile_exists_or_report(state, args->overrides.profile, *config)) {
      return;
    }
    if (args->timeout_seconds) {
      args->overrides.timeout =
          std::chrono::milliseconds{static_cast<long long>(*args->timeout_seconds * 1000.0)};
    }
    auto ensemble = load_ensemble_or_report(state, args->ensemble, *config, args->overrides);
    if (!ensemble) {
      return;
    }
    auto input = input_for(state, *args, *ensemble);
    if (!input) {
      state.exit_code = exit_code::invalid_input;
      return;
    }
    engine::run_options options;
    options.mode = args->sequential ? engine::run_mode::sequential : engine::run_mode::parallel;
    if (args->eager) {
      options.scheduling = definition::scheduling_policy::eager;
    }
    options.max_concurrent_agents = args->max_concurrent;
    options.priority = args->priority;
    options.include_prompts = args->include_prompts;
    options.max_cost_usd = args->max_cost;
    if (args->max_cost) {
      warn_unpriced(state, *ensemble, *config);
    }
    execute_run(state, *config, std::move(*ensemble), std::move(*input), std::move(options),
                args->output, args->store, args->cluster);
  });
}

} // namespace tutti::cli
