// tutti runs [show ID | rm ID]: the run history in the store.
#include "commands.hpp"
#include "option_checks.hpp"
#include "run_printer.hpp"
#include "store_access.hpp"
#include "text_table.hpp"

#include <tutti/engine/run_id.hpp>
#include <tutti/engine/run_json.hpp>

#include <nlohmann/json.hpp>

#include <ctime>
#include <functional>
#include <regex>

namespace tutti::cli {
namespace {

struct runs_arguments {
  std::optional<std::string> ensemble;
  std::optional<std::string> status;
  std::size_t limit = 20;
  bool json = false;
  std::string id;
  std::optional<std::string> older_than;
  bool show_json = false;
  bool show_stats = false;
  store_choice store;
};

std::string local_time_text(std::chrono::system_clock::time_point t) {
  const auto seconds = std::chrono::system_clock::to_time_t(t);
  std::tm parts{};
  localtime_r(&seconds, &parts);
  char text[40];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &parts);
  return text;
}

// "30d", "12h", "90m", "45s", "2w": how far back, up to a century (further would wrap the
// clock round into the future and remove everything); nullopt for anything else.
std::optional<std::chrono::seconds> age_of(const std::string& text) {
  static const std::regex form{R"(([0-9]{1,12})([smhdw]))"};
  constexpr std::int64_t century = 100LL * 366 * 86400;
  std::smatch m;
  if (!std::regex_match(text, m, form)) {
    return std::nullopt;
  }
  const std::map<std::string, std::int64_t> unit = {
      {"s", 1}, {"m", 60}, {"h", 3600}, {"d", 86400}, {"w", 604800}};
  const auto count = std::stoll(m[1]);
  if (count > century / unit.at(m[2])) {
    return std::nullopt;
  }
  return std::chrono::seconds{count * unit.at(m[2])};
}

void list_runs(command_state& state, store::run_store& s, const runs_arguments& args) {
  store::run_filter filter;
  filter.ensemble = args.ensemble;
  if (args.status) {
    filter.status = engine::run_status_named(*args.status);
  }
  filter.limit = args.limit;
  auto runs = s.list(filter);
  if (!runs) {
    state.ctx.err << "error: " << runs.error().message << '\n';
    state.exit_code = exit_code::invalid_input;
    return;
  }
  if (args.json) {
    auto list = nlohmann::ordered_json::array();
    for (const auto& r : *runs) {
      list.push_back(
          {{"id", r.id},
           {"ensemble", r.ensemble},
           {"status", engine::to_string(r.status)},
           {"started_at", engine::utc_text(r.started_at)},
           {"ended_at", r.ended_at ? nlohmann::ordered_json(engine::utc_text(*r.ended_at))
                                   : nlohmann::ordered_json(nullptr)},
           {"agents", r.agents},
           {"succeeded", r.succeeded},
           {"resumed_from", r.resumed_from.empty() ? nlohmann::ordered_json(nullptr)
                                                   : nlohmann::ordered_json(r.resumed_from)}});
    }
    state.ctx.out << list.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace)
                  << '\n';
    return;
  }
  if (runs->empty()) {
    state.ctx.err << "no runs in " << s.path().string()
                  << (args.ensemble || args.status ? " match" : " yet") << '\n';
    return;
  }
  text_table table{{"ID", "ENSEMBLE", "STATUS", "STARTED", "TIME", "SUCCEEDED", "RESUMED FROM"}};
  for (const auto& r : *runs) {
    const auto took =
        r.ended_at
            ? seconds(std::chrono::duration<double, std::milli>(*r.ended_at - r.started_at).count())
            : std::string{"-"};
    table.add_row(
        {r.id, r.ensemble, std::string{engine::to_string(r.status)}, local_time_text(r.started_at),
         took, std::to_string(r.succeeded) + " of " + std::to_string(r.agents), r.resumed_from});
  }
  table.print(state.ctx.out);
}

void show_run(command_state& state, store::run_store& s, const runs_arguments& args) {
  auto run = s.load(args.id);
  if (!run) {
    state.ctx.err << "error: " << run.error().message << '\n';
    state.exit_code = exit_code::invalid_input;
    return;
  }
  if (args.show_json) {
    engine::write_json(state.ctx.out, run->result);
    state.ctx.out << '\n';
    return;
  }
  print_summary(state.ctx.out, run->result, {true, true}, state.ctx.out_is_terminal);
  if (args.show_stats) {
    print_statistics(state.ctx.out, run->result);
  }
}

void remove_runs(command_state& state, store::run_store& s, const runs_arguments& args) {
  if (args.id.empty() == !args.older_than) {
    state.ctx.err << "error: runs rm: give a run ID or --older-than AGE"
                  << (args.older_than ? ", not both\n" : "\n");
    state.exit_code = exit_code::invalid_input;
    return;
  }
  if (!args.id.empty()) {
    auto removed = s.remove(args.id);
    if (!removed) {
      state.ctx.err << "error: " << removed.error().message << '\n';
      state.exit_code = exit_code::invalid_input;
      return;
    }
    state.ctx.out << "removed run " << *removed << '\n';
    return;
  }
  auto age = age_of(*args.older_than);
  if (!age) {
    state.ctx.err << "error: --older-than " << *args.older_than
                  << ": not an age; write a number and a unit, as in 30d, 12h, 90m, 45s or 2w, "
                     "up to a century\n";
    state.exit_code = exit_code::invalid_input;
    return;
  }
  const auto cutoff = std::chrono::system_clock::now() - *age;
  auto removed = s.remove_older_than(cutoff);
  if (!removed) {
    state.ctx.err << "error: " << removed.error().message << '\n';
    state.exit_code = exit_code::invalid_input;
    return;
  }
  state.ctx.out << "removed " << *removed << (*removed == 1 ? " run" : " runs")
                << " started before " << local_time_text(cutoff) << '\n';
}

} // namespace

void add_runs_command(CLI::App& app, command_state& state) {
  auto args = std::make_shared<runs_arguments>();
  auto* cmd = app.add_subcommand("runs", "The runs kept in the run store, newest first");
  cmd->add_option("--ensemble", args->ensemble, "Only runs of this ensemble");
  cmd->add_option("--status", args->status, "Only runs of this status")
      ->check(CLI::IsMember(
          {"completed", "partial", "failed", "timeout", "cancelled", "running", "interrupted"}));
  cmd->add_option("--limit", args->limit, "How many (default 20)")
      ->check(number_from(1, 1'000'000));
  cmd->add_flag("--json", args->json, "Print the list as JSON");
  add_store_options(cmd, args->store, false);
  cmd->require_subcommand(0, 1);

  auto* show = cmd->add_subcommand("show", "Print a kept run as tutti run printed it");
  show->add_option("id", args->id, "Run id, or enough of its start to be unique")->required();
  show->add_flag("--json", args->show_json, "The JSON that tutti run --json printed");
  show->add_flag("--stats", args->show_stats, "With each resource group's statistics");
  add_store_options(show, args->store, false);

  auto* rm = cmd->add_subcommand("rm", "Remove a kept run, or every run older than an age");
  rm->add_option("id", args->id, "Run id, or enough of its start to be unique");
  rm->add_option("--older-than", args->older_than, "An age such as 30d, 12h or 2w");
  add_store_options(rm, args->store, false);

  // Loads the configuration, opens the store and runs `action` on it; `when_missing`, when
  // given, stands in for the error while there is no store file yet.
  auto with_store = [&state,
                     args](auto action,
                           std::function<void(const std::filesystem::path&)> when_missing = {}) {
    return [&state, args, action, when_missing] {
      auto config = load_config_or_report(state);
      if (!config) {
        return;
      }
      if (when_missing) {
        auto path = store_path_for(state, args->store, *config);
        std::error_code ec;
        if (path && !std::filesystem::exists(*path, ec)) {
          when_missing(*path);
          return;
        }
      }
      if (auto s = open_existing_store_or_report(state, args->store, *config)) {
        action(state, *s, *args);
      }
    };
  };
  show->callback(with_store(show_run));
  rm->callback(with_store(remove_runs));
  // Before the first run there is no store yet: that is an empty history, not an error.
  auto list = with_store(list_runs, [&state, args](const std::filesystem::path& path) {
    if (args->json) {
      state.ctx.out << "[]\n"; // for a script as for a person
    }
    state.ctx.err << "no runs kept yet: " << path.string() << " does not exist\n";
  });
  cmd->callback([cmd, list] {
    if (cmd->get_subcommands().empty()) {
      list();
    }
  });
}

} // namespace tutti::cli
