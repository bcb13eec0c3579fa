// tutti validate FILE...: checks ensembles against the configuration without running them.
#include "commands.hpp"

namespace tutti::cli {

void add_validate_command(CLI::App& app, command_state& state) {
  auto* cmd = app.add_subcommand("validate", "Check ensemble files (or names) without running "
                                             "them; exit 0 when all are valid, 2 otherwise");
  auto files = std::make_shared<std::vector<std::string>>();
  cmd->add_option("files", *files, "Ensemble files or names")->required();
  cmd->callback([&state, files] {
    auto config = load_config_or_report(state);
    if (!config) {
      return;
    }
    for (const auto& name_or_path : *files) {
      if (auto e = load_ensemble_or_report(state, name_or_path, *config)) {
        state.ctx.out << "ok: " << e->file << " (" << e->name << ": " << e->agents.size()
                      << " agents in " << e->phases.size() << " phases)\n";
      }
    }
  });
}

} // namespace tutti::cli
