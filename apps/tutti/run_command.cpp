// tutti run NAME|FILE: runs an ensemble and prints each agent's result, or the JSON result.
#include "commands.hpp"
#include "progress_view.hpp"
#include "terminal_text.hpp"
#include "text_table.hpp"
#include "token_printer.hpp"

#include <tutti/engine/engine.hpp>
#include <tutti/engine/run_json.hpp>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

namespace tutti::cli {
namespace {

struct run_arguments {
  std::string ensemble;
  std::optional<std::string> input;
  std::optional<std::string> input_file;
  bool json = false;
  bool sequential = false;
  bool eager = false;
  bool quiet = false;
  bool stats = false;
  std::string stream; // "", "last" or "all"
  std::optional<int> max_concurrent;
};

std::atomic<bool> interrupted{false};

extern "C" void on_interrupt(int) {
  interrupted = true;
}

// Ctrl-C and the signals that end a process politely (a closed terminal, `kill`, Ctrl-\)
// all cancel the run and print what finished, rather than losing it.
constexpr int cancelling_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

// --input, else --input-file, else standard input when it is not a terminal, else the
// ensemble's default_input. nullopt (with a message) when there is none or it is unreadable.
std::optional<std::string> input_for(command_state& state, const run_arguments& args,
                                     const definition::resolved_ensemble& e) {
  if (args.input) {
    return args.input;
  }
  if (args.input_file) {
    std::ifstream file{state.ctx.working_dir / *args.input_file, std::ios::binary};
    if (!file) {
      state.ctx.err << "error: " << *args.input_file << ": cannot read the input file\n";
      return std::nullopt;
    }
    std::ostringstream text;
    text << file.rdbuf();
    return std::move(text).str();
  }
  if (!state.ctx.in_is_terminal) {
    std::ostringstream text;
    text << state.ctx.in.rdbuf();
    if (auto piped = std::move(text).str(); !piped.empty()) {
      return piped;
    }
  }
  if (!e.default_input.empty()) {
    return e.default_input;
  }
  state.ctx.err << "error: no input for " << e.name
                << ": give --input TEXT or --input-file PATH, pipe it on standard input, or "
                   "set default_input in "
                << e.file << '\n';
  return std::nullopt;
}

std::string seconds(double ms) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f s", ms / 1000.0);
  return text;
}

void print_indented(std::ostream& out, const std::string& text) {
  std::istringstream lines{text};
  for (std::string line; std::getline(lines, line);) {
    out << (line.empty() ? "" : "  ") << line << '\n';
  }
}

// Each agent's status and duration, and its response unless it was streamed already; on a
// terminal, control characters of responses and errors are shown as escapes.
void print_result(std::ostream& out, const engine::run_result& r,
                  const std::set<std::string>& streamed, bool is_terminal) {
  for (const auto& a : r.agents) {
    out << a.name << "  " << engine::to_string(a.status);
    if (a.started_ms) {
      out << "  " << seconds(a.duration_ms);
    }
    out << '\n';
    const bool is_success = a.status == engine::agent_status::success;
    if (!is_success || streamed.count(a.name) == 0) {
      const auto& text = is_success ? a.response : a.error;
      print_indented(out, is_terminal ? terminal_safe(text) : text);
    }
  }
  const auto succeeded = std::count_if(r.agents.begin(), r.agents.end(), [](const auto& a) {
    return a.status == engine::agent_status::success;
  });
  char speedup[32];
  std::snprintf(speedup, sizeof speedup, "%.1fx",
                r.elapsed_ms > 0 ? r.total_agent_ms() / r.elapsed_ms : 0.0);
  out << '\n'
      << engine::to_string(r.status) << ": " << succeeded << " of " << r.agents.size()
      << " agents succeeded in " << seconds(r.elapsed_ms) << " (" << engine::to_string(r.mode)
      << "); agent time " << seconds(r.total_agent_ms()) << ", " << speedup << " speedup\n";
}

// Waits for the run, redrawing the progress view on a terminal and cancelling on Ctrl-C.
engine::run_result wait_for_run(command_state& state, engine::run_handle& handle,
                                const progress_view* view) {
  auto& err = state.ctx.err;
  std::size_t drawn = 0;
  const auto started = std::chrono::steady_clock::now();
  while (true) {
    auto done = handle.wait_for(std::chrono::milliseconds{100});
    if (interrupted.exchange(false)) {
      handle.cancel();
    }
    if (view != nullptr) {
      if (drawn > 0) {
        err << "\x1b[" << drawn << "F"; // back to the first line of the last frame
      }
      const auto now =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
              .count();
      auto lines = view->lines(now);
      for (const auto& line : lines) {
        err << "\x1b[2K" << line << '\n';
      }
      drawn = lines.size();
      err.flush();
    }
    if (done) {
      return std::move(*done);
    }
  }
}

std::string milliseconds(double ms) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", ms);
  return text;
}

void print_statistics(std::ostream& out, const engine::run_result& r) {
  out << "\nresources:\n";
  text_table table{{"GROUP", "RESOURCE", "LIMIT", "ACTIVE", "PENDING", "PEAK", "DONE", "FAILED",
                    "TIMED OUT", "CANCELLED", "BACKOFF", "WAIT MS MEAN/P50/P95/MAX", "NOTE"}};
  std::vector<const resources::group_statistics*> rows;
  for (const auto& g : r.resources) {
    rows.push_back(&g);
  }
  for (const auto& cap : r.caps) {
    rows.push_back(&cap); // the run's and the engine's caps, rows of their own
  }
  for (const auto* row : rows) {
    const auto& g = *row;
    table.add_row({g.id, g.resource, resources::limit_text(g), std::to_string(g.active),
                   std::to_string(g.pending), std::to_string(g.peak_active),
                   std::to_string(g.completed), std::to_string(g.failed),
                   std::to_string(g.timed_out), std::to_string(g.cancelled), g.backoff,
                   milliseconds(g.wait_mean_ms) + "/" + milliseconds(g.wait_p50_ms) + "/" +
                       milliseconds(g.wait_p95_ms) + "/" + milliseconds(g.wait_max_ms),
                   g.note});
  }
  table.print(out, 2);
  for (const auto& g : r.resources) {
    print_spellings(out, g.id, g.spellings);
  }
}

int exit_code_for(engine::run_status status) {
  return status == engine::run_status::completed ? exit_code::success : exit_code::run_failed;
}

} // namespace

void add_run_command(CLI::App& app, command_state& state) {
  auto* cmd = app.add_subcommand(
      "run", "Run an ensemble; exit 0 when every agent succeeded, 1 when some did not or the "
             "deadline passed, 2 when nothing could run");
  auto args = std::make_shared<run_arguments>();
  cmd->add_option("ensemble", args->ensemble, "Ensemble file or name")->required();
  auto* input = cmd->add_option("--input", args->input, "The input text");
  cmd->add_option("--input-file", args->input_file, "Read the input from a file")->excludes(input);
  cmd->add_flag("--json", args->json, "Print the result as one JSON document");
  auto* sequential =
      cmd->add_flag("--sequential", args->sequential, "One agent at a time (the baseline)");
  cmd->add_flag("--eager", args->eager, "Start each agent as soon as its own dependencies are done")
      ->excludes(sequential);
  cmd->add_option("--max-concurrent", args->max_concurrent, "Cap on agents in flight")
      ->check(CLI::Range(1, 1'000'000));
  cmd->add_flag("--quiet", args->quiet, "No live progress on standard error");
  cmd->add_flag("--stream{last}", args->stream,
                "Print the responses of the last phase's agents as they arrive; --stream=all "
                "for every agent (to standard error with --json)")
      ->check(CLI::IsMember({"last", "all"}));
  cmd->add_flag("--stats", args->stats,
                "Print each resource group's statistics after the results (the JSON always "
                "has them)");
  cmd->callback([&state, args] {
    auto config = load_config_or_report(state);
    if (!config) {
      return;
    }
    auto ensemble = load_ensemble_or_report(state, args->ensemble, *config);
    if (!ensemble) {
      return;
    }
    auto input = input_for(state, *args, *ensemble);
    if (!input) {
      state.exit_code = exit_code::invalid_input;
      return;
    }
    engine::engine_options engine_options;
    engine_options.environment = state.ctx.env;
    engine::engine engine{*config, engine_options};
    if (auto problems = engine.check(*ensemble); !problems.empty()) {
      print_problems(state, problems);
      state.exit_code = exit_code::invalid_input;
      return;
    }
    engine::run_options options;
    options.mode = args->sequential ? engine::run_mode::sequential : engine::run_mode::parallel;
    if (args->eager) {
      options.scheduling = definition::scheduling_policy::eager;
    }
    options.max_concurrent_agents = args->max_concurrent;
    std::set<std::string> streamed;
    if (!args->stream.empty()) {
      for (std::size_t i = 0; i < ensemble->agents.size(); ++i) {
        if (args->stream == "all" || ensemble->agents[i].phase + 1 == ensemble->phases.size()) {
          streamed.insert(ensemble->agents[i].name);
        }
      }
    }
    token_printer tokens{args->json ? state.ctx.err : state.ctx.out, streamed,
                         args->json ? state.ctx.err_is_terminal : state.ctx.out_is_terminal};
    std::optional<progress_view> view;
    engine::event_callback on_event;
    if (!streamed.empty()) {
      on_event = [&tokens](const engine::run_event& event) { tokens.apply(event); };
    } else if (state.ctx.err_is_terminal && !args->quiet) {
      view.emplace(*ensemble);
      on_event = [&view](const engine::run_event& event) { view->apply(event); };
    }
    std::vector<void (*)(int)> previous;
    for (int s : cancelling_signals) {
      previous.push_back(std::signal(s, on_interrupt));
    }
    auto handle = engine.start(*ensemble, std::move(*input), options, on_event);
    auto result = wait_for_run(state, handle, view ? &*view : nullptr);
    for (std::size_t i = 0; i < previous.size(); ++i) {
      std::signal(cancelling_signals[i], previous[i]);
    }
    tokens.finish();
    if (args->json) {
      state.ctx.out << engine::to_json(result) << '\n';
    } else {
      print_result(state.ctx.out, result, streamed, state.ctx.out_is_terminal);
      if (args->stats) {
        print_statistics(state.ctx.out, result);
      }
    }
    state.exit_code = exit_code_for(result.status);
  });
}

} // namespace tutti::cli
