#include "run_execution.hpp"

#include "progress_view.hpp"
#include "remote_run.hpp"
#include "run_printer.hpp"
#include "token_printer.hpp"

#include <tutti/engine/engine.hpp>
#include <tutti/engine/run_json.hpp>
#include <tutti/store/fingerprint.hpp>
#include <tutti/store/store_recorder.hpp>

#include <atomic>
#include <csignal>
#include <set>

namespace tutti::cli {
namespace {

std::atomic<bool> interrupted{false};

extern "C" void on_interrupt(int) {
  interrupted = true;
}

// Ctrl-C and the signals that end a process politely (a closed terminal, `kill`, Ctrl-\)
// all cancel the run and print what finished, rather than losing it.
constexpr int cancelling_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

// How the run is waited for and cancelled, whether it runs here or on a server.
struct run_control {
  std::function<bool(std::chrono::milliseconds)> wait_for; // true once it has ended
  std::function<void()> cancel;
};

// Waits for the run, redrawing the progress view on a terminal and cancelling on Ctrl-C.
void wait_for_run(command_state& state, const run_control& run, const progress_view* view) {
  auto& err = state.ctx.err;
  std::size_t drawn = 0;
  const auto started = std::chrono::steady_clock::now();
  std::vector<void (*)(int)> previous;
  for (int s : cancelling_signals) {
    previous.push_back(std::signal(s, on_interrupt));
  }
  while (true) {
    const bool done = run.wait_for(std::chrono::milliseconds{100});
    if (interrupted.exchange(false)) {
      run.cancel();
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
      break;
    }
  }
  for (std::size_t i = 0; i < previous.size(); ++i) {
    std::signal(cancelling_signals[i], previous[i]);
  }
}

// What a run shows while it goes: tokens of the chosen agents, else the live view on a
// terminal, else nothing.
class run_display {
 public:
  run_display(command_state& state, const output_choice& output,
              const std::vector<std::string>& agents, const std::set<std::string>& last_phase)
      : streamed_(output.stream == "all"  ? std::set<std::string>(agents.begin(), agents.end())
                  : output.stream.empty() ? std::set<std::string>{}
                                          : last_phase),
        tokens_(output.json ? state.ctx.err : state.ctx.out, streamed_,
                output.json ? state.ctx.err_is_terminal : state.ctx.out_is_terminal) {
    if (streamed_.empty() && state.ctx.err_is_terminal && !output.quiet) {
      view_.emplace(agents);
    }
  }

  engine::event_callback on_event() {
    if (!streamed_.empty()) {
      return [this](const engine::run_event& event) { tokens_.apply(event); };
    }
    if (view_) {
      return [this](const engine::run_event& event) { view_->apply(event); };
    }
    return {};
  }

  const progress_view* view() const { return view_ ? &*view_ : nullptr; }

  // The result, after the tokens' last line.
  void print(command_state& state, const output_choice& output, const engine::run_result& r) {
    tokens_.finish();
    if (output.json) {
      state.ctx.out << engine::to_json(r) << '\n';
      return;
    }
    print_result(state.ctx.out, r, streamed_, state.ctx.out_is_terminal);
    if (output.stats) {
      print_statistics(state.ctx.out, r);
    }
  }

 private:
  std::set<std::string> streamed_;
  token_printer tokens_;
  std::optional<progress_view> view_;
};

int exit_code_for(engine::run_status status) {
  return status == engine::run_status::completed ? exit_code::success : exit_code::run_failed;
}

} // namespace

void add_output_options(CLI::App* cmd, output_choice& choice) {
  cmd->add_flag("--json", choice.json, "Print the result as one JSON document");
  cmd->add_flag("--quiet", choice.quiet, "No live progress on standard error");
  cmd->add_flag("--stream{last}", choice.stream,
                "Print the responses of the last phase's agents as they arrive; --stream=all "
                "for every agent (to standard error with --json)")
      ->check(CLI::IsMember({"last", "all"}));
  cmd->add_flag("--stats", choice.stats,
                "Print each resource group's statistics after the results (the JSON always "
                "has them)");
}

void execute_run(command_state& state, const definition::config& config,
                 const definition::resolved_ensemble& e, std::string input,
                 engine::run_options options, const output_choice& output,
                 const store_choice& store, const cluster_choice& cluster) {
  engine::engine_options engine_options;
  engine_options.environment = state.ctx.env;
  std::optional<cluster::node_settings> node;
  if (!configure_node(state, config, cluster, false, engine_options, node)) {
    return;
  }
  engine::engine engine{config, engine_options};
  std::vector<definition::backend_spec> used;
  for (const auto& agent : e.agents) {
    used.push_back(agent.backend);
  }
  if (!reach_authorities_or_report(state, engine, node, used)) {
    return;
  }
  if (auto problems = engine.check(e); !problems.empty()) {
    print_problems(state, problems);
    state.exit_code = exit_code::invalid_input;
    return;
  }
  auto writer = open_store_writer_or_report(state, config, store);
  if (!writer) {
    return;
  }
  if (*writer) {
    auto origin = store::origin_of(e);
    origin.file = std::filesystem::absolute(state.ctx.working_dir / e.file).lexically_normal();
    options.observer = std::make_shared<store::run_recorder>(*writer, std::move(origin));
  }
  std::vector<std::string> agents;
  std::set<std::string> last_phase;
  for (const auto& agent : e.agents) {
    agents.push_back(agent.name);
    if (agent.phase + 1 == e.phases.size()) {
      last_phase.insert(agent.name);
    }
  }
  run_display display{state, output, agents, last_phase};
  auto handle = engine.start(e, std::move(input), std::move(options), display.on_event());
  std::optional<engine::run_result> result;
  wait_for_run(state,
               {[&](std::chrono::milliseconds timeout) {
                  result = handle.wait_for(timeout);
                  return result.has_value();
                },
                [&] { handle.cancel(); }},
               display.view());
  display.print(state, output, *result);
  // The result is out; the store's last commits follow (a few milliseconds after a burst).
  std::optional<store::store_error> failure;
  if (*writer) {
    (*writer)->flush();
    failure = (*writer)->failure();
  }
  if (failure) {
    state.ctx.err << "warning: " << failure->message << "; this run is not kept in full\n";
  } else if (*writer && !output.json && !output.quiet) {
    state.ctx.err << "kept as run " << result->id << " (tutti runs show " << result->id << ")\n";
  }
  state.exit_code = exit_code_for(result->status);
}

void execute_remote_run(command_state& state, const std::string& url, const std::string& token,
                        const std::string& request, const output_choice& output) {
  bool told = false;
  auto started = remote_run::start(url, token, request, [&](int seconds) {
    if (!std::exchange(told, true) && !output.quiet) {
      state.ctx.err << "the server is busy: waiting for it (it asks " << seconds
                    << " s at a time; Ctrl-C gives up)" << std::endl;
    }
  });
  if (const auto* refused = std::get_if<remote_error>(&started)) {
    state.ctx.err << "error: " << refused->message << '\n';
    state.exit_code = exit_code::invalid_input;
    return;
  }
  auto& run = *std::get<std::unique_ptr<remote_run>>(started);
  const auto& skeleton = run.skeleton();
  std::vector<std::string> agents;
  for (const auto& agent : skeleton.agents) {
    agents.push_back(agent.name);
  }
  std::set<std::string> last_phase;
  if (!skeleton.phases.empty()) {
    last_phase.insert(skeleton.phases.back().begin(), skeleton.phases.back().end());
  }
  run_display display{state, output, agents, last_phase};
  run.follow(display.on_event());
  std::optional<std::variant<engine::run_result, remote_error>> ended;
  wait_for_run(state,
               {[&](std::chrono::milliseconds timeout) {
                  ended = run.wait_for(timeout);
                  return ended.has_value();
                },
                [&] { run.cancel(); }},
               display.view());
  if (const auto* lost = std::get_if<remote_error>(&*ended)) {
    state.ctx.err << "error: " << lost->message << '\n';
    state.exit_code = exit_code::invalid_input;
    return;
  }
  const auto& result = std::get<engine::run_result>(*ended);
  display.print(state, output, result);
  if (!output.json && !output.quiet) {
    state.ctx.err << "ran on " << url << " as run " << result.id << '\n';
  }
  state.exit_code = exit_code_for(result.status);
}

} // namespace tutti::cli
