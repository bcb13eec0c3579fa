#include "run_execution.hpp"

#include "progress_view.hpp"
#include "remote_run.hpp"
#include "run_printer.hpp"
#include "token_printer.hpp"

#include <tutti/definition/nearest_name.hpp>
#include <tutti/engine/engine.hpp>
#include <tutti/engine/run_json.hpp>
#include <tutti/store/fingerprint.hpp>
#include <tutti/store/store_recorder.hpp>
#include <tutti/timeline/timeline_svg.hpp>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <sys/ioctl.h>
#include <unistd.h>

namespace tutti::cli {
namespace {

std::atomic<bool> interrupted{false};

extern "C" void on_interrupt(int) {
  interrupted = true;
}

// Ctrl-C and the signals that end a process politely (a closed terminal, `kill`, Ctrl-\)
// all cancel the run and print what finished, rather than losing it.
constexpr int cancelling_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

// While it lives, those signals set `interrupted` instead of ending the process; from before
// the run starts, so that one sent as it starts cancels it rather than killing this process
// and leaving the run behind.
class cancelling_signals_caught {
 public:
  cancelling_signals_caught() {
    interrupted = false;
    for (int s : cancelling_signals) {
      previous_.push_back(std::signal(s, on_interrupt));
      if (previous_.back() == SIG_IGN) {
        std::signal(s, SIG_IGN); // a background job's Ctrl-C is not its own: leave it ignored
      }
    }
  }
  ~cancelling_signals_caught() {
    for (std::size_t i = 0; i < previous_.size(); ++i) {
      std::signal(cancelling_signals[i], previous_[i]);
    }
  }
  cancelling_signals_caught(const cancelling_signals_caught&) = delete;
  cancelling_signals_caught& operator=(const cancelling_signals_caught&) = delete;

 private:
  std::vector<void (*)(int)> previous_;
};

// How the run is waited for and cancelled, whether it runs here or on a server.
struct run_control {
  std::function<bool(std::chrono::milliseconds)> wait_for; // true once it has ended
  std::function<void()> cancel;
};

// The columns of the terminal on standard error; 80 when it does not say.
std::size_t terminal_width() {
  winsize size{};
  if (ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) {
    return size.ws_col;
  }
  return 80;
}

std::set<std::string> without(std::set<std::string> names, const std::set<std::string>& left_out) {
  for (const auto& name : left_out) {
    names.erase(name);
  }
  return names;
}

// What a run shows while it goes: the live view on a terminal (unless --quiet or --json), and
// the tokens of the agents chosen by --stream (on standard output, or standard error with
// --json). When both share the screen, whole lines of tokens are written above the view.
class run_display {
 public:
  // `whole_only`: agents whose tokens are not their answer (they run ensembles, or their
  // answer is JSON read back), printed whole at the end even when streamed.
  run_display(command_state& state, const output_choice& output, std::string title,
              const std::vector<std::string>& agents, const std::set<std::string>& last_phase,
              const std::set<std::string>& whole_only)
      : streamed_(without(output.stream == "all"
                              ? std::set<std::string>(agents.begin(), agents.end())
                          : output.stream.empty() ? std::set<std::string>{}
                                                  : last_phase,
                          whole_only)),
        tokens_(output.json ? state.ctx.err : state.ctx.out, streamed_,
                output.json ? state.ctx.err_is_terminal : state.ctx.out_is_terminal,
                shows_view(state, output) && state.ctx.out_is_terminal) {
    if (shows_view(state, output)) {
      view_.emplace(std::move(title), agents);
    }
  }

  engine::event_callback on_event() {
    if (streamed_.empty() && !view_) {
      return {};
    }
    return [this](const engine::run_event& event) {
      tokens_.apply(event);
      if (view_) {
        view_->apply(event);
      }
    };
  }

  // Waits for the run, redrawing the view every 100 ms and cancelling on Ctrl-C (caught by a
  // cancelling_signals_caught that lives across the run's start and this wait).
  void wait_for(command_state& state, const run_control& run) {
    const auto started = std::chrono::steady_clock::now();
    while (true) {
      const bool done = run.wait_for(std::chrono::milliseconds{100});
      if (interrupted.exchange(false)) {
        run.cancel();
      }
      if (view_) {
        redraw(state.ctx.err,
               std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
                   .count());
      }
      if (done) {
        break;
      }
    }
  }

  // The result, after the tokens' last line: the answer on standard output and the summary
  // on standard error, or the JSON document.
  void print(command_state& state, const output_choice& output, const engine::run_result& r,
             const std::set<std::string>& shown) {
    tokens_.finish();
    if (output.json) {
      engine::write_json(state.ctx.out, r);
      state.ctx.out << '\n';
      return;
    }
    // A run stopped early (Ctrl-C, the deadline) never reached its last phase: what finished
    // is the answer there is, unless --show chose.
    const bool stopped_early =
        r.status == engine::run_status::cancelled || r.status == engine::run_status::timeout;
    std::set<std::string> every_agent;
    if (stopped_early && output.show.empty()) {
      for (const auto& a : r.agents) {
        every_agent.insert(a.name); // print_answers keeps those that succeeded
      }
    }
    print_answers(state.ctx.out, r, every_agent.empty() ? shown : every_agent, streamed_,
                  state.ctx.out_is_terminal);
    state.ctx.out.flush();
    print_summary(state.ctx.err, r, {output.show == "all", false}, state.ctx.err_is_terminal);
    if (output.stats) {
      print_statistics(state.ctx.err, r);
    }
  }

 private:
  // Back to the first row of the last frame; whole lines of tokens, then the frame; then
  // whatever the last frame had below this one is cleared.
  void redraw(std::ostream& err, double now_ms) {
    if (drawn_ > 0) {
      err << "\x1b[" << drawn_ << "F";
    }
    for (const auto& line : tokens_.take_lines()) {
      err << "\x1b[2K" << line;
    }
    auto lines = view_->lines(now_ms, terminal_width() - 1);
    for (const auto& line : lines) {
      err << "\x1b[2K" << line << '\n';
    }
    err << "\x1b[J";
    drawn_ = lines.size();
    err.flush();
  }

  // The live view is drawn on a terminal, unless --quiet or --json.
  static bool shows_view(const command_state& state, const output_choice& output) {
    return state.ctx.err_is_terminal && !output.quiet && !output.json;
  }

  std::set<std::string> streamed_;
  token_printer tokens_;
  std::optional<progress_view> view_;
  std::size_t drawn_ = 0; // rows of the last frame
};

// The agents whose responses are the answer: --show all, --show A,B, else the last phase's.
// nullopt (with a message) when --show names an agent the run does not have.
std::optional<std::set<std::string>> shown_agents(command_state& state, const std::string& show,
                                                  const std::vector<std::string>& agents,
                                                  const std::set<std::string>& last_phase) {
  if (show.empty()) {
    return last_phase;
  }
  if (show == "all") {
    return std::set<std::string>(agents.begin(), agents.end());
  }
  std::set<std::string> shown;
  std::istringstream names{show};
  for (std::string name; std::getline(names, name, ',');) {
    if (std::find(agents.begin(), agents.end(), name) == agents.end()) {
      state.ctx.err << "error: --show: no agent '" << name << "' in this run"
                    << definition::did_you_mean(name, agents)
                    << "; give all or agent names, comma-separated\n";
      state.exit_code = exit_code::invalid_input;
      return std::nullopt;
    }
    shown.insert(name);
  }
  return shown;
}

// "pair: 2 agents, parallel (eager)": how a run goes, at the head of its live view.
std::string view_title(const std::string& ensemble, std::size_t agents, engine::run_mode mode,
                       definition::scheduling_policy scheduling) {
  return ensemble + ": " + std::to_string(agents) + (agents == 1 ? " agent, " : " agents, ") +
         std::string{engine::to_string(mode)} +
         (scheduling == definition::scheduling_policy::eager ? " (eager)" : "");
}

int exit_code_for(engine::run_status status) {
  return status == engine::run_status::completed ? exit_code::success : exit_code::run_failed;
}

} // namespace

std::optional<std::string> write_timeline(command_state& state, const engine::run_result& run,
                                          const std::string& path) {
  const auto file = state.ctx.working_dir / path;
  std::ofstream out{file, std::ios::binary | std::ios::trunc};
  out << timeline::timeline_svg(run);
  out.close();
  if (!out) {
    return "cannot write the timeline to " + path + ": " + std::strerror(errno);
  }
  state.ctx.err << "timeline written to " << path << '\n';
  return std::nullopt;
}

bool timeline_writable_or_report(command_state& state, const output_choice& output) {
  if (!output.timeline) {
    return true;
  }
  const auto file = state.ctx.working_dir / *output.timeline;
  auto folder = file.parent_path();
  std::error_code ec;
  const char* why = nullptr;
  if (output.timeline->empty() || std::filesystem::is_directory(file, ec)) {
    why = "give a file to write, such as run.svg";
  } else if (!std::filesystem::is_directory(folder.empty() ? "." : folder, ec)) {
    why = "its folder does not exist";
  } else if (access((folder.empty() ? std::filesystem::path{"."} : folder).c_str(), W_OK) != 0) {
    why = "its folder cannot be written";
  }
  if (why != nullptr) {
    state.ctx.err << "error: --timeline " << *output.timeline << ": " << why << '\n';
    state.exit_code = exit_code::invalid_input;
    return false;
  }
  return true;
}

void add_output_options(CLI::App* cmd, output_choice& choice) {
  cmd->add_flag("--json", choice.json, "Print the result as one JSON document");
  cmd->add_flag("--quiet", choice.quiet, "No live progress on standard error");
  cmd->add_option("--show", choice.show,
                  "Whose responses standard output carries: all, or agent names comma-separated "
                  "(default: the last phase's). Statuses, errors and the summary go to "
                  "standard error; with all, the summary has each agent's tokens and cost")
      ->check(CLI::Validator(
          [](std::string& names) -> std::string {
            return names.empty() ? "give all, or agent names comma-separated" : "";
          },
          "all|NAME,..."));
  cmd->add_flag("--stream{last}", choice.stream,
                "Print the last phase's responses as they arrive (one agent's as its tokens "
                "come, several agents' as whole lines behind their names); --stream=all for "
                "every agent (to standard error with --json)")
      ->check(CLI::IsMember({"last", "all"}));
  cmd->add_flag("--stats", choice.stats,
                "Print each resource group's statistics after the summary (the JSON always "
                "has them)");
  cmd->add_option("--timeline", choice.timeline,
                  "Also write the run's SVG timeline to this file (tutti timeline draws one "
                  "from a run's JSON later)");
}

void execute_run(command_state& state, const definition::config& config,
                 definition::resolved_ensemble e, std::string input, engine::run_options options,
                 const output_choice& output, const store_choice& store,
                 const cluster_choice& cluster) {
  if (!timeline_writable_or_report(state, output)) {
    return;
  }
  engine::engine_options engine_options;
  engine_options.environment = state.ctx.env;
  std::optional<cluster::node_settings> node;
  if (!configure_node(state, config, cluster, false, engine_options, node)) {
    return;
  }
  engine::engine engine{config, engine_options};
  std::vector<definition::backend_spec> used; // each backend once, not once per agent
  std::set<std::string> seen;
  definition::for_each_caller(e, [&](const definition::resolved_agent& agent) {
    if (seen.insert(agent.backend.name).second) {
      used.push_back(agent.backend);
    }
  });
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
  std::set<std::string> whole_only;
  for (const auto& agent : e.agents) {
    agents.push_back(agent.name);
    if (agent.phase + 1 == e.phases.size()) {
      last_phase.insert(agent.name);
    }
    if (agent.nested || agent.output) {
      whole_only.insert(agent.name);
    }
  }
  auto shown = shown_agents(state, output.show, agents, last_phase);
  if (!shown) {
    return;
  }
  run_display display{
      state,
      output,
      view_title(e.name, agents.size(), options.mode, options.scheduling.value_or(e.scheduling)),
      agents,
      last_phase,
      whole_only};
  cancelling_signals_caught caught;
  auto handle =
      engine.start(std::move(e), std::move(input), std::move(options), display.on_event());
  const engine::run_result* result = nullptr; // the handle's own
  display.wait_for(state, {[&](std::chrono::milliseconds timeout) {
                             result = handle.wait_for(timeout);
                             return result != nullptr;
                           },
                           [&] { handle.cancel(); }});
  display.print(state, output, *result, *shown);
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
  if (output.timeline) {
    if (auto problem = write_timeline(state, *result, *output.timeline)) {
      // The run happened: its verdict stands, and with --json its document stays the only one.
      state.ctx.err << "warning: " << *problem << '\n';
    }
  }
}

void execute_remote_run(command_state& state, const std::string& url, const std::string& token,
                        const std::string& request, const output_choice& output) {
  if (!timeline_writable_or_report(state, output)) {
    return;
  }
  bool told = false;
  cancelling_signals_caught caught;
  auto started = remote_run::start(
      url, token, request,
      [&](int seconds) {
        if (!std::exchange(told, true) && !output.quiet) {
          state.ctx.err << "the server is busy: waiting for it (it asks " << seconds
                        << " s at a time; Ctrl-C gives up)" << std::endl;
        }
      },
      [] { return interrupted.load(); });
  if (const auto* refused = std::get_if<remote_error>(&started)) {
    state.ctx.err << "error: " << refused->message << '\n';
    state.exit_code = interrupted ? exit_code::run_failed : exit_code::invalid_input;
    return;
  }
  auto& run = *std::get<std::unique_ptr<remote_run>>(started);
  const auto& skeleton = run.skeleton();
  std::vector<std::string> agents;
  std::set<std::string> whole_only; // a server's run: its nested agents are known by their names
  for (const auto& agent : skeleton.agents) {
    agents.push_back(agent.name);
    if (!agent.ensemble.empty()) {
      whole_only.insert(agent.name);
    }
  }
  std::set<std::string> last_phase;
  if (!skeleton.phases.empty()) {
    last_phase.insert(skeleton.phases.back().begin(), skeleton.phases.back().end());
  }
  auto shown = shown_agents(state, output.show, agents, last_phase);
  if (!shown) {
    run.cancel();
    return;
  }
  run_display display{
      state,
      output,
      view_title(skeleton.ensemble, agents.size(), skeleton.mode, skeleton.scheduling),
      agents,
      last_phase,
      whole_only};
  run.follow(display.on_event());
  std::optional<std::variant<engine::run_result, remote_error>> ended;
  display.wait_for(state, {[&](std::chrono::milliseconds timeout) {
                             ended = run.wait_for(timeout);
                             return ended.has_value();
                           },
                           [&] { run.cancel(); }});
  if (const auto* lost = std::get_if<remote_error>(&*ended)) {
    state.ctx.err << "error: " << lost->message << '\n';
    state.exit_code = exit_code::invalid_input;
    return;
  }
  const auto& result = std::get<engine::run_result>(*ended);
  display.print(state, output, result, *shown);
  if (!output.json && !output.quiet) {
    state.ctx.err << "ran on " << url << " as run " << result.id << '\n';
  }
  state.exit_code = exit_code_for(result.status);
  if (output.timeline) {
    if (auto problem = write_timeline(state, result, *output.timeline)) {
      state.ctx.err << "warning: " << *problem << '\n';
    }
  }
}

} // namespace tutti::cli
