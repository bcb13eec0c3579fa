// tutti list [DIR]: the ensembles in the search folders (or DIR) with their shape.
#include "commands.hpp"
#include "text_table.hpp"

#include <tutti/definition/dependency_graph.hpp>
#include <tutti/definition/ensemble_catalog.hpp>
#include <tutti/definition/ensemble_parser.hpp>

#include <nlohmann/json.hpp>

namespace tutti::cli {

void add_list_command(CLI::App& app, command_state& state) {
  auto* cmd = app.add_subcommand(
      "list", "List ensembles in ./ensembles, ./.tutti/ensembles and "
              "$XDG_CONFIG_HOME/tutti/ensembles, or in DIR; invalid files are reported (exit 2)");
  auto dir = std::make_shared<std::optional<std::string>>();
  auto json = std::make_shared<bool>(false);
  cmd->add_option("dir", *dir, "Folder to list instead of the search folders");
  cmd->add_flag("--json", *json, "Print the ensembles as a JSON array");
  cmd->callback([&state, dir, json] {
    const auto& ctx = state.ctx;
    auto dirs = *dir ? std::vector<std::filesystem::path>{ctx.working_dir / **dir}
                     : definition::ensemble_search_dirs(ctx.working_dir, ctx.env);
    if (*dir && !std::filesystem::is_directory(dirs.front())) {
      ctx.err << "error: " << dirs.front().string() << ": no such folder\n";
      state.exit_code = exit_code::invalid_input;
      return;
    }
    text_table table{{"NAME", "AGENTS", "PHASES", "FILE", "DESCRIPTION"}};
    auto listed_json = nlohmann::ordered_json::array();
    std::size_t listed = 0;
    const auto max_bytes = definition_limit_bytes(state);
    for (const auto& file : definition::ensemble_files(dirs)) {
      auto e = definition::load_ensemble(file, max_bytes);
      if (!e) {
        print_problems(state, e.problems());
        state.exit_code = exit_code::invalid_input;
        continue;
      }
      const auto phases = definition::plan_phases(e->agents).size();
      table.add_row({e->name, std::to_string(e->agents.size()), std::to_string(phases),
                     file.string(), e->description});
      listed_json.push_back({{"name", e->name},
                             {"agents", e->agents.size()},
                             {"phases", phases},
                             {"file", file.string()},
                             {"description", e->description}});
      ++listed;
    }
    if (*json) {
      if (state.exit_code == exit_code::success) {
        ctx.out << listed_json.dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
                << '\n';
      }
      return;
    }
    if (listed == 0) {
      ctx.out << "no valid ensembles in:";
      for (const auto& d : dirs) {
        ctx.out << ' ' << d.string();
      }
      ctx.out << '\n';
      return;
    }
    table.print(ctx.out);
  });
}

} // namespace tutti::cli
