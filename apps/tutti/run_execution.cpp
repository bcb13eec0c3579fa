#include "run_execution.hpp"

#include "progress_view.hpp"
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
                 const store_choice& store) {
  engine::engine_options engine_options;
  engine_options.environment = state.ctx.env;
  engine::engine engine{config, engine_options};
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
  std::set<std::string> streamed;
  if (!output.stream.empty()) {
    for (const auto& agent : e.agents) {
      if (output.stream == "all" || agent.phase + 1 == e.phases.size()) {
        streamed.insert(agent.name);
      }
    }
  }
  token_printer tokens{output.json ? state.ctx.err : state.ctx.out, streamed,
                       output.json ? state.ctx.err_is_terminal : state.ctx.out_is_terminal};
  std::optional<progress_view> view;
  engine::event_callback on_event;
  if (!streamed.empty()) {
    on_event = [&tokens](const engine::run_event& event) { tokens.apply(event); };
  } else if (state.ctx.err_is_terminal && !output.quiet) {
    view.emplace(e);
    on_event = [&view](const engine::run_event& event) { view->apply(event); };
  }
  std::vector<void (*)(int)> previous;
  for (int s : cancelling_signals) {
    previous.push_back(std::signal(s, on_interrupt));
  }
  auto handle = engine.start(e, std::move(input), std::move(options), on_event);
  auto result = wait_for_run(state, handle, view ? &*view : nullptr);
  for (std::size_t i = 0; i < previous.size(); ++i) {
    std::signal(cancelling_signals[i], previous[i]);
  }
  tokens.finish();
  if (output.json) {
    state.ctx.out << engine::to_json(result) << '\n';
  } else {
    print_result(state.ctx.out, result, streamed, state.ctx.out_is_terminal);
    if (output.stats) {
      print_statistics(state.ctx.out, result);
    }
  }
  // The result is out; the store's last commits follow (a few milliseconds after a burst).
  std::optional<store::store_error> failure;
  if (*writer) {
    (*writer)->flush();
    failure = (*writer)->failure();
  }
  if (failure) {
    state.ctx.err << "warning: " << failure->message << "; this run is not kept in full\n";
  } else if (*writer && !output.json && !output.quiet) {
    state.ctx.err << "kept as run " << result.id << " (tutti runs show " << result.id << ")\n";
  }
  state.exit_code = exit_code_for(result.status);
}

} // namespace tutti::cli
