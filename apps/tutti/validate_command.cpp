// tutti validate FILE...: checks ensembles against the configuration without running them,
// and warns about what a run would trip on: a key variable not set, a word in braces that
// looks like a placeholder but is none.
#include "commands.hpp"

#include <tutti/definition/nearest_name.hpp>
#include <tutti/definition/prompt_template.hpp>

#include <nlohmann/json.hpp>

#include <set>

namespace tutti::cli {
namespace {

struct warning {
  std::string file;
  std::string field;
  std::string message;
};

std::vector<warning> warnings_about(const command_state& state,
                                    const definition::resolved_ensemble& e) {
  std::vector<warning> out;
  std::set<std::string> unset_keys;
  definition::for_each_caller(e, [&](const definition::resolved_agent& agent) {
    const auto& key = agent.backend.api_key_env;
    if (!key.empty() && !state.ctx.env(key) && unset_keys.insert(key).second) {
      out.push_back({e.file, "agents." + agent.name,
                     "backend '" + agent.backend.name + "' needs " + key +
                         ", which is not set: a run would fail its agents"});
    }
  });
  for (const auto& agent : e.agents) {
    if (!agent.prompt) {
      continue;
    }
    std::vector<std::string> placeholders{"{input}"};
    for (const auto& dependency : agent.depends_on) {
      placeholders.push_back("{agents." + dependency + "}");
    }
    for (const auto& word : definition::placeholder_like_words(*agent.prompt)) {
      out.push_back({e.file, "agents." + agent.name + ".prompt",
                     "{" + word + "} is no placeholder and is sent as written" +
                         definition::did_you_mean("{" + word + "}", placeholders)});
    }
  }
  return out;
}

} // namespace

void add_validate_command(CLI::App& app, command_state& state) {
  auto* cmd = app.add_subcommand("validate", "Check ensemble files (or names) without running "
                                             "them; exit 0 when all are valid, 2 otherwise; "
                                             "warns about unset key variables and {typos}");
  auto files = std::make_shared<std::vector<std::string>>();
  auto json = std::make_shared<bool>(false);
  cmd->add_option("files", *files, "Ensemble files or names")->required();
  cmd->add_flag("--json", *json,
                "Print {\"ensembles\": [...], \"warnings\": [...]}; errors as JSON (exit 2)");
  cmd->callback([&state, files, json] {
    auto config = load_config_or_report(state);
    if (!config) {
      return;
    }
    auto valid = nlohmann::ordered_json::array();
    auto warned = nlohmann::ordered_json::array();
    for (const auto& name_or_path : *files) {
      auto e = load_ensemble_or_report(state, name_or_path, *config);
      if (!e) {
        continue;
      }
      for (const auto& w : warnings_about(state, *e)) {
        if (*json) {
          warned.push_back({{"file", w.file}, {"field", w.field}, {"message", w.message}});
        } else {
          state.ctx.err << "warning: " << w.file << ": " << w.field << ": " << w.message << '\n';
        }
      }
      valid.push_back({{"file", e->file},
                       {"name", e->name},
                       {"agents", e->agents.size()},
                       {"phases", e->phases.size()}});
      if (!*json) {
        state.ctx.out << "ok: " << e->file << " (" << e->name << ": " << e->agents.size()
                      << (e->agents.size() == 1 ? " agent" : " agents") << " in "
                      << e->phases.size() << (e->phases.size() == 1 ? " phase" : " phases")
                      << ")\n";
      }
    }
    if (*json && state.exit_code == exit_code::success) {
      nlohmann::ordered_json doc{{"ensembles", std::move(valid)}, {"warnings", std::move(warned)}};
      state.ctx.out << doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    }
  });
}

} // namespace tutti::cli
