// tutti validate FILE...: checks ensembles against the configuration without running them,
// and warns about what a run would trip on: a key variable not set, a word in braces that
// looks like a placeholder but is none.
#include "commands.hpp"

#include <tutti/definition/nearest_name.hpp>
#include <tutti/definition/prompt_template.hpp>

#include <set>

namespace tutti::cli {
namespace {

void warn_about(command_state& state, const definition::resolved_ensemble& e) {
  auto& err = state.ctx.err;
  std::set<std::string> unset_keys;
  for (const auto& agent : e.agents) {
    const auto& key = agent.backend.api_key_env;
    if (!key.empty() && !state.ctx.env(key) && unset_keys.insert(key).second) {
      err << "warning: " << e.file << ": agents." << agent.name << ": backend '"
          << agent.backend.name << "' needs " << key
          << ", which is not set: a run would fail its agents\n";
    }
    if (!agent.prompt) {
      continue;
    }
    std::vector<std::string> placeholders{"{input}"};
    for (const auto& dependency : agent.depends_on) {
      placeholders.push_back("{agents." + dependency + "}");
    }
    for (const auto& word : definition::placeholder_like_words(*agent.prompt)) {
      err << "warning: " << e.file << ": agents." << agent.name << ".prompt: {" << word
          << "} is no placeholder and is sent as written"
          << definition::did_you_mean("{" + word + "}", placeholders) << '\n';
    }
  }
}

} // namespace

void add_validate_command(CLI::App& app, command_state& state) {
  auto* cmd = app.add_subcommand("validate", "Check ensemble files (or names) without running "
                                             "them; exit 0 when all are valid, 2 otherwise; "
                                             "warns about unset key variables and {typos}");
  auto files = std::make_shared<std::vector<std::string>>();
  cmd->add_option("files", *files, "Ensemble files or names")->required();
  cmd->callback([&state, files] {
    auto config = load_config_or_report(state);
    if (!config) {
      return;
    }
    for (const auto& name_or_path : *files) {
      if (auto e = load_ensemble_or_report(state, name_or_path, *config)) {
        warn_about(state, *e);
        state.ctx.out << "ok: " << e->file << " (" << e->name << ": " << e->agents.size()
                      << (e->agents.size() == 1 ? " agent" : " agents") << " in "
                      << e->phases.size() << (e->phases.size() == 1 ? " phase" : " phases")
                      << ")\n";
      }
    }
  });
}

} // namespace tutti::cli
