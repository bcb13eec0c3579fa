// tutti doctor [ENSEMBLE...]: whether the backends will answer, before a long run finds out:
// each backend's group, class and limit, its key variable, whether its server answers (and
// how fast) with its list of models, and whether the model each agent names is on it. Asks
// only for the model list: never sends a completion.
#include "commands.hpp"
#include "text_table.hpp"

#include <tutti/definition/nearest_name.hpp>
#include <tutti/providers/http_client.hpp>
#include <tutti/providers/io_thread.hpp>
#include <tutti/providers/protocol.hpp>
#include <tutti/resources/group_directory.hpp>
#include <tutti/resources/resource_group.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <future>
#include <map>
#include <ostream>
#include <set>

namespace tutti::cli {
namespace {

struct check {
  std::string backend;
  std::string what;   // "group", "key", "server", "model"
  std::string status; // "ok", "warn", "fail"
  std::string message;
};

// What each backend's agents name, from the ensembles given.
using agents_by_backend = std::map<std::string, std::vector<std::pair<std::string, std::string>>>;

class doctor {
 public:
  doctor(const definition::config& config, const definition::environment& env)
      : config_(config), env_(env), client_(io_) {}

  // `needed`: a problem fails the check (the backend is used, or configured on purpose)
  // rather than warns (a built-in backend nobody asked for).
  void examine(const definition::backend_spec& backend, bool needed,
               const std::vector<std::pair<std::string, std::string>>& agents) {
    const auto severity = needed ? "fail" : "warn";
    // Joined in turn, as a run joins them: two backends that reach one server with different
    // limits cannot both run, which run refuses and doctor must say.
    const auto [g, conflict] = directory_.join(backend);
    add(backend, "group", conflict ? "fail" : "ok",
        conflict ? *conflict
                 : "group " + g.id + ": " + std::string{definition::to_string(g.resource)} +
                       ", limit " + resources::limit_text(g));
    if (backend.provider == definition::provider_kind::mock) {
      add(backend, "server", "ok", "the built-in mock: nothing to reach, every model answers");
      return;
    }
    if (backend.provider == definition::provider_kind::process) {
      add(backend, "server", "ok", "script agents' programs, run on this machine");
      return;
    }
    std::string key;
    if (!backend.api_key_env.empty()) {
      key = env_(backend.api_key_env).value_or("");
      add(backend, "key", key.empty() ? severity : "ok",
          key.empty() ? backend.api_key_env + " is not set: export it, holding the key"
                      : backend.api_key_env + " is set");
    }
    auto models = list_models(backend, key, severity);
    if (!models) {
      for (const auto& [agent, model] : agents) {
        add(backend, "model", "warn",
            "agent " + agent + ": model '" + model + "' not checked (no model list)");
      }
      return;
    }
    for (const auto& [agent, model] : agents) {
      const bool is_there = std::find_if(models->begin(), models->end(), [&](const std::string& m) {
                              return m == model || m == model + ":latest";
                            }) != models->end();
      add(backend, "model", is_there ? "ok" : "fail",
          "agent " + agent + ": model '" + model + "' " +
              (is_there ? "is there" : "is not there" + definition::did_you_mean(model, *models)));
    }
  }

  const std::vector<check>& checks() const { return checks_; }

 private:
  void add(const definition::backend_spec& b, std::string what, std::string status,
           std::string message) {
    checks_.push_back({b.name, std::move(what), std::move(status), std::move(message)});
  }

  // GET of the backend's model list, timed; the names, or nullopt with the failure added.
  std::optional<std::vector<std::string>> list_models(const definition::backend_spec& backend,
                                                      const std::string& key,
                                                      const char* severity) {
    auto protocol = providers::protocol_for(backend.provider);
    providers::call_settings settings;
    settings.base_path = providers::base_path_of(backend.base_url);
    settings.api_key = key;
    auto call = protocol->list_models(settings);
    const auto asked = call.method + " " + call.target;
    providers::http_deadlines deadlines;
    deadlines.connect = std::chrono::seconds{3};
    deadlines.total = std::chrono::seconds{5};
    std::promise<providers::http_result> done;
    const auto start = std::chrono::steady_clock::now();
    client_.send(backend.base_url, std::move(call), deadlines, nullptr,
                 [&done](providers::http_result r) { done.set_value(std::move(r)); });
    auto r = done.get_future().get();
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - start)
                        .count();
    const auto took = " (" + std::to_string(ms) + " ms)";
    if (r.error) {
      add(backend, "server", severity, r.error->message + took);
      return std::nullopt;
    }
    if (r.status != 200) {
      const bool refused_key = r.status == 401 || r.status == 403;
      add(backend, "server", severity,
          "HTTP " + std::to_string(r.status) + " from " + asked + ": " +
              providers::error_message_of(r.body) + (refused_key ? " (the key is refused)" : "") +
              took);
      return std::nullopt;
    }
    auto models = protocol->parse_models(r.body);
    if (!models) {
      add(backend, "server", severity,
          backend.base_url + " answered " + asked + " with no model list: is it a " +
              std::string{definition::to_string(backend.provider)} + " server?" + took);
      return std::nullopt;
    }
    add(backend, "server", "ok",
        backend.base_url + " answers in " + std::to_string(ms) + " ms, " +
            std::to_string(models->size()) + " models");
    return models;
  }

  const definition::config& config_;
  resources::group_directory directory_; // the groups of the backends examined so far
  const definition::environment& env_;
  providers::io_thread io_;
  providers::http_client client_;
  std::vector<check> checks_;
};

// A built-in backend as the configuration did not change it: nobody asked for it.
bool is_untouched_builtin(const definition::backend_spec& b, const definition::environment& env) {
  auto builtins = definition::builtin_backends(env("OLLAMA_HOST").value_or(""));
  auto found = builtins.find(b.name);
  return found != builtins.end() && found->second.base_url == b.base_url &&
         found->second.provider == b.provider;
}

void print(command_state& state, const std::vector<check>& checks, bool as_json) {
  if (as_json) {
    auto out = nlohmann::ordered_json::array();
    for (const auto& c : checks) {
      out.push_back({{"backend", c.backend},
                     {"check", c.what},
                     {"status", c.status},
                     {"message", c.message}});
    }
    state.ctx.out << nlohmann::ordered_json{{"checks", out}}.dump(2) << '\n';
    return;
  }
  text_table table{{"STATUS", "BACKEND", "CHECK", "WHAT"}};
  for (const auto& c : checks) {
    table.add_row({c.status, c.backend, c.what, c.message});
  }
  table.print(state.ctx.out);
}

struct doctor_arguments {
  std::vector<std::string> ensembles;
  bool json = false;
};

void run_doctor(command_state& state, const doctor_arguments& args) {
  auto config = load_config_or_report(state);
  if (!config) {
    return;
  }
  // The backends the ensembles' agents use (those an agent defines inline too), each agent
  // once; else every backend of the configuration.
  agents_by_backend agents;
  std::map<std::string, definition::backend_spec> used;
  std::set<std::string> seen_ensembles;
  for (const auto& name : args.ensembles) {
    auto e = load_ensemble_or_report(state, name, *config);
    if (!e) {
      return;
    }
    if (!seen_ensembles.insert(e->file).second) {
      continue;
    }
    definition::for_each_caller(*e, [&](const definition::resolved_agent& agent) {
      used.emplace(agent.backend.name, agent.backend);
      agents[agent.backend.name].emplace_back(e->name + "." + agent.name, agent.model);
    });
  }
  doctor d{*config, state.ctx.env};
  if (args.ensembles.empty()) {
    for (const auto& [name, backend] : config->backends) {
      d.examine(backend, !is_untouched_builtin(backend, state.ctx.env), {});
    }
  }
  for (const auto& [name, backend] : used) {
    d.examine(backend, true, agents.at(name));
  }
  print(state, d.checks(), args.json);
  const bool failed = std::any_of(d.checks().begin(), d.checks().end(),
                                  [](const check& c) { return c.status == "fail"; });
  state.exit_code = failed ? exit_code::run_failed : exit_code::success;
}

} // namespace

void add_doctor_command(CLI::App& app, command_state& state) {
  auto* cmd = app.add_subcommand(
      "doctor", "Check the backends before a run: key variables, servers answering (and how "
                "fast), their models, and the model each agent of ENSEMBLE names; exit 1 if a "
                "check fails. Never sends a completion");
  auto args = std::make_shared<doctor_arguments>();
  cmd->add_option("ensembles", args->ensembles,
                  "Check only the backends these ensembles use, and their agents' models");
  cmd->add_flag("--json", args->json, "Print the checks as JSON");
  cmd->callback([&state, args] { run_doctor(state, *args); });
}

} // namespace tutti::cli
