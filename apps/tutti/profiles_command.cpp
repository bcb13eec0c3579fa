// tutti profiles: the backends and model profiles of the configuration, with the resource
// group and limit each backend gets. Keys are shown by variable name and whether it is set,
// never by value.
#include "commands.hpp"
#include "text_table.hpp"

#include <tutti/definition/value_ranges.hpp>
#include <tutti/resources/group_directory.hpp>

#include <nlohmann/json.hpp>

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

// What each model's tokens cost, built in or configured.
void print_prices(std::ostream& out, const definition::config& config) {
  out << "\nprices (US dollars per million tokens; [prices.\"MODEL\"] adds or corrects one):\n";
  text_table prices{{"MODEL", "INPUT", "OUTPUT"}};
  for (const auto& [model, price] : config.prices) {
    prices.add_row({model, definition::number_text(price.input_per_mtok),
                    definition::number_text(price.output_per_mtok)});
  }
  prices.print(out, 2);
}

// Keys by variable name and whether they are set, as in the text: never a value.
nlohmann::ordered_json profiles_json(const definition::config& config,
                                     const definition::environment& env) {
  using json = nlohmann::ordered_json;
  resources::group_directory directory;
  json backends = json::array();
  json warnings = json::array();
  for (const auto& [name, backend] : config.backends) {
    auto [group, conflict] = directory.join(backend);
    if (conflict) {
      warnings.push_back(*conflict);
    }
    const auto key = env(backend.api_key_env);
    backends.push_back(
        {{"name", name},
         {"provider", definition::to_string(backend.provider)},
         {"resource", definition::to_string(group.resource)},
         {"limit", group.limit.is_unlimited() ? json(nullptr) : json(group.limit.max())},
         {"auto_limit", group.is_auto_limit},
         {"group", group.id},
         {"key_env", backend.api_key_env.empty() ? json(nullptr) : json(backend.api_key_env)},
         {"key_set", backend.api_key_env.empty() ? json(nullptr) : json(key && !key->empty())}});
  }
  json profiles = json::array();
  for (const auto& [name, p] : config.profiles) {
    profiles.push_back(
        {{"name", name},
         {"target", target_of(p.settings)},
         {"model", p.settings.model ? json(*p.settings.model) : json(nullptr)},
         {"timeout_seconds", p.settings.timeout
                                 ? json(static_cast<double>(p.settings.timeout->count()) / 1000.0)
                                 : json(nullptr)}});
  }
  json prices = json::object();
  for (const auto& [model, price] : config.prices) {
    prices[model] = {{"input_per_mtok", price.input_per_mtok},
                     {"output_per_mtok", price.output_per_mtok}};
  }
  return {{"configuration", config.file.empty() ? json(nullptr) : json(config.file)},
          {"backends", std::move(backends)},
          {"profiles", std::move(profiles)},
          {"prices", std::move(prices)},
          {"warnings", std::move(warnings)}};
}

} // namespace

void add_profiles_command(CLI::App& app, command_state& state) {
  auto* cmd =
      app.add_subcommand("profiles", "Show the backends and model profiles of the configuration");
  auto json = std::make_shared<bool>(false);
  cmd->add_flag("--json", *json, "Print the backends and profiles as one JSON document");
  cmd->callback([&state, json] {
    auto config = load_config_or_report(state);
    if (!config) {
      return;
    }
    if (*json) {
      state.ctx.out << profiles_json(*config, state.ctx.env)
                           .dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
                    << '\n';
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
      print_prices(out, *config);
      return;
    }
    text_table profiles{{"NAME", "BACKEND", "MODEL", "TIMEOUT"}};
    for (const auto& [name, p] : config->profiles) {
      profiles.add_row(
          {name, target_of(p.settings), p.settings.model.value_or("-"),
           p.settings.timeout ? definition::duration_text(*p.settings.timeout) : "default"});
    }
    profiles.print(out, 2);
    print_prices(out, *config);
  });
}

} // namespace tutti::cli
