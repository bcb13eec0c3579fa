// tutti profiles: the backends and model profiles of the configuration, with the resource
// group and limit each backend gets. Keys are shown by variable name and whether it is set,
// never by value.
#include "commands.hpp"
#include "text_table.hpp"

#include <tutti/resources/group_directory.hpp>

#include <set>

namespace tutti::cli {
namespace {

std::string key_status(const definition::backend_spec& b, const definition::environment& env) {
  if (b.api_key_env.empty()) {
    return "-";
  }
  auto value = env(b.api_key_env);
  return b.api_key_env + (value && !value->empty() ? " (set)" : " (not set)");
}

std::string target_of(const definition::model_settings& s) {
  if (s.backend) {
    return *s.backend;
  }
  if (s.provider) {
    return s.base_url ? *s.provider + "@" + *s.base_url : *s.provider;
  }
  return "-";
}

} // namespace

void add_profiles_command(CLI::App& app, command_state& state) {
  auto* cmd =
      app.add_subcommand("profiles", "Show the backends and model profiles of the configuration");
  cmd->callback([&state] {
    auto config = load_config_or_report(state);
    if (!config) {
      return;
    }
    auto& out = state.ctx.out;
    out << "configuration: "
        << (config->file.empty() ? "built-in defaults (no tutti.toml found)" : config->file)
        << "\n\nbackends:\n";
    text_table backends{{"NAME", "PROVIDER", "RESOURCE", "LIMIT", "GROUP", "KEY"}};
    resources::group_directory directory;
    std::vector<std::string> conflicts;
    for (const auto& [name, backend] : config->backends) {
      auto [group, conflict] = directory.join(backend);
      if (conflict) {
        conflicts.push_back(*conflict);
      }
      backends.add_row({name, std::string{definition::to_string(backend.provider)},
                        std::string{definition::to_string(group.resource)},
                        resources::limit_text(group), group.id,
                        key_status(backend, state.ctx.env)});
    }
    backends.print(out, 2);
    std::set<std::string> shown;
    for (const auto& [name, backend] : config->backends) {
      auto id = resources::classify(backend).id;
      if (shown.insert(id).second) {
        print_spellings(out, id, directory.spellings(id));
      }
    }
    for (const auto& conflict : conflicts) {
      out << "  warning: " << conflict << '\n';
    }
    out << "\nprofiles:\n";
    if (config->profiles.empty()) {
      out << "  none (define [profiles.NAME] in the configuration)\n";
      return;
    }
    text_table profiles{{"NAME", "BACKEND", "MODEL", "TIMEOUT"}};
    for (const auto& [name, p] : config->profiles) {
      profiles.add_row(
          {name, target_of(p.settings), p.settings.model.value_or("-"),
           p.settings.timeout ? definition::duration_text(*p.settings.timeout) : "default"});
    }
    profiles.print(out, 2);
  });
}

} // namespace tutti::cli
