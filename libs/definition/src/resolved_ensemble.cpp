#include <tutti/definition/nearest_name.hpp>
#include <tutti/definition/program_path.hpp>
#include <tutti/definition/resolved_ensemble.hpp>
#include <tutti/definition/value_ranges.hpp>

#include <algorithm>
#include <filesystem>

namespace tutti::definition {
namespace {

template <class Map>
std::vector<std::string> keys_of(const Map& map) {
  std::vector<std::string> keys;
  for (const auto& entry : map) {
    keys.push_back(entry.first);
  }
  return keys;
}

class agent_resolver {
 public:
  // Without `load`, an agent that runs an ensemble is a problem, or, when `skip_nested`,
  // not looked into.
  agent_resolver(const ensemble& e, const config& c, diagnostics& out, ensemble_loader load,
                 bool skip_nested = false)
      : e_(e), c_(c), out_(out), load_(std::move(load)), skip_nested_(skip_nested) {}

  std::optional<resolved_agent> resolve(const agent_spec& agent) {
    std::optional<resolved_agent> r =
        agent.ensemble || agent.loop ? resolve_nested(agent) : resolve_caller(agent);
    if (!r) {
      return std::nullopt;
    }
    r->name = agent.name;
    r->priority = agent.priority.value_or(e_.priority.value_or(default_priority));
    r->prompt = agent.prompt;
    r->depends_on = agent.depends_on;
    r->on_dependency_failure = agent.on_dependency_failure;
    r->input_key = agent.input_key;
    r->parameters = agent.parameters;
    if (agent.output_format || agent.output_schema) {
      r->output = output_contract{agent.output_schema};
    }
    if (agent.fan_out) { // one that names no dependency is the ensemble's problem, said there
      auto over = agent.fan_out->empty()
                      ? agent.depends_on.begin()
                      : std::find(agent.depends_on.begin(), agent.depends_on.end(), *agent.fan_out);
      if (over != agent.depends_on.end()) {
        r->fan_out = static_cast<std::size_t>(over - agent.depends_on.begin());
      }
    }
    if (agent.when) { // a condition that does not parse is the ensemble's problem, said there
      auto parsed = condition::parse(*agent.when);
      if (auto* c = std::get_if<condition>(&parsed)) {
        r->when = std::make_shared<const condition>(std::move(*c));
      }
    }
    return r;
  }

 private:
  // An agent that runs an ensemble, once or in a loop: the ensemble is found and resolved by
  // the loader, and a loop's condition and carried outputs name the body's agents.
  std::optional<resolved_agent> resolve_nested(const agent_spec& agent) {
    const std::string key = agent.ensemble ? "ensemble" : "loop";
    const auto& name = agent.ensemble ? *agent.ensemble : agent.loop->body;
    if (!load_) {
      if (!skip_nested_) {
        report(definition_errc::invalid_value, agent, key,
               "runs ensemble '" + name +
                   "', which only an ensemble read through an ensemble_resolver can find");
      }
      return std::nullopt;
    }
    auto body = load_(name, agent.location_of(key), "agents." + agent.name + "." + key);
    if (!body) {
      out_.insert(out_.end(), body.problems().begin(), body.problems().end());
      return std::nullopt;
    }
    nested_ensemble n;
    n.body = *body;
    n.timeout = agent.settings.timeout;
    n.llm_orc_output = agent.nested_output == "llm-orc";
    if (agent.loop) {
      n.is_loop = true;
      n.max_iterations = agent.loop->max_iterations;
      n.carry_replaces_input = agent.loop->carry_replaces_input;
      std::vector<std::string> names{std::string{body_output_name}};
      for (const auto& a : n.body->agents) {
        names.push_back(a.name);
      }
      const auto problems = out_.size();
      for (const auto& carried : agent.loop->carry) {
        // A bare name is that agent's output.
        const auto text = is_valid_agent_name(carried) ? "${" + carried + "}" : carried;
        if (auto value = body_condition(agent, "carry", text, names)) {
          if (value->is_operand()) {
            n.carry.emplace_back(carried, std::move(value));
          } else {
            report(definition_errc::invalid_value, agent, "loop",
                   "carry '" + carried +
                       "' is a condition, not a value: give an agent's "
                       "name, ${NAME.field} or output(NAME)");
          }
        }
      }
      if (agent.loop->until) {
        n.until = body_condition(agent, "until", *agent.loop->until, names);
      }
      if (out_.size() != problems) {
        return std::nullopt;
      }
    }
    resolved_agent r;
    r.timeout = agent.settings.timeout.value_or(n.body->timeout); // as plan shows it
    r.nested = std::move(n);
    return r;
  }

  // A loop's `until` or one of its `carry`, read on the body's results after each iteration:
  // a condition over the body's agents and its final output.
  std::shared_ptr<const condition> body_condition(const agent_spec& agent, const std::string& key,
                                                  const std::string& text,
                                                  const std::vector<std::string>& names) {
    auto parsed = condition::parse(text);
    if (const auto* error = std::get_if<condition_error>(&parsed)) {
      report(definition_errc::invalid_value, agent, "loop",
             key + ", column " + std::to_string(error->column) + ": " + error->message);
      return nullptr;
    }
    auto& c = std::get<condition>(parsed);
    if (c.agents().empty()) {
      report(definition_errc::invalid_value, agent, "loop",
             key + " refers to no agent of the body, so it never changes: name one, as in "
                   "${NAME.done}, or the body's final output, as in ${output.done}");
      return nullptr;
    }
    for (const auto& ref : c.agents()) {
      if (std::find(names.begin(), names.end(), ref) == names.end()) {
        report(definition_errc::unknown_agent, agent, "loop",
               key + " refers to '" + ref + "', which is not an agent of ensemble '" +
                   agent.loop->body + "' (nor output, its final output)" +
                   did_you_mean(ref, names));
        return nullptr;
      }
    }
    return std::make_shared<const condition>(std::move(c));
  }

  // An agent that calls a model, or runs a program.
  std::optional<resolved_agent> resolve_caller(const agent_spec& agent) {
    model_settings settings = agent.settings;
    if (agent.script && !agent.script->empty()) {
      // Its programs run in the "process" group; the program stands where a model would.
      settings.backend = settings.backend.value_or(std::string{to_string(provider_kind::process)});
      settings.model = agent.script->front();
    }
    if (agent.profile) {
      auto p = c_.profiles.find(*agent.profile);
      if (p == c_.profiles.end()) {
        report(definition_errc::unknown_profile, agent, "profile",
               "unknown profile '" + *agent.profile + "'" +
                   did_you_mean(*agent.profile, keys_of(c_.profiles)) +
                   where_profiles_live(*agent.profile));
        return std::nullopt;
      }
      settings = overlay(p->second.settings, agent.settings);
    }
    auto backend = backend_for(agent, settings);
    if (!backend) {
      return std::nullopt;
    }
    if (backend->provider == provider_kind::process && !agent.script) {
      report(definition_errc::conflicting_fields, agent, settings.backend ? "backend" : "provider",
             "'" + backend->name + "' runs programs: give agent '" + agent.name +
                 "' a script = [\"program\", \"argument\", ...] instead");
      return std::nullopt;
    }
    if (!settings.model && backend->provider != provider_kind::mock) {
      report(definition_errc::no_model, agent, "model",
             "agent '" + agent.name + "' has no model: set model (its backend '" + backend->name +
                 "' needs one) or use a profile that sets it");
      return std::nullopt;
    }
    if (!settings.mock.is_empty() && backend->provider != provider_kind::mock) {
      report(definition_errc::conflicting_fields, agent, "mock",
             "mock settings apply only to the mock provider; this agent's backend is '" +
                 backend->name + "'");
      return std::nullopt;
    }
    resolved_agent r;
    r.profile = agent.profile.value_or("");
    r.backend = std::move(*backend);
    r.model = settings.model.value_or("mock");
    r.system_prompt = settings.system_prompt.value_or("");
    r.temperature = settings.temperature;
    r.max_tokens = settings.max_tokens;
    r.mock = settings.mock;
    if (settings.fallback && !resolve_fallbacks(agent, *settings.fallback, r)) {
      return std::nullopt;
    }
    r.timeout = settings.timeout.value_or(c_.limits.agent_timeout);
    r.queue_timeout = settings.queue_timeout ? settings.queue_timeout : c_.limits.queue_timeout;
    if (agent.script) {
      r.script = *agent.script;
      const auto folder = std::filesystem::path{e_.file}.parent_path();
      r.script_directory =
          (folder.empty() ? std::filesystem::current_path() : std::filesystem::absolute(folder))
              .string();
      r.script_input_kind = agent.script_input_kind;
      // Said now, where the file names it, rather than when the agent's turn comes.
      const auto program = find_program(r.script.front(), r.script_directory);
      if (const auto* why = std::get_if<std::string>(&program)) {
        report(definition_errc::invalid_value, agent, "script", "cannot run it: " + *why);
        return std::nullopt;
      }
    }
    return r;
  }
  // The profiles an agent falls back to, each a target with the agent's own system prompt,
  // temperature and max_tokens over the profile's. False, with the problems said, when one
  // cannot be used.
  bool resolve_fallbacks(const agent_spec& agent, const std::vector<std::string>& names,
                         resolved_agent& r) {
    const auto problems = out_.size();
    std::vector<std::string> seen{r.profile};
    for (const auto& name : names) {
      auto p = c_.profiles.find(name);
      if (p == c_.profiles.end()) {
        report(definition_errc::unknown_profile, agent, "fallback",
               "unknown profile '" + name + "'" + did_you_mean(name, keys_of(c_.profiles)) +
                   where_profiles_live(name));
        continue;
      }
      if (std::find(seen.begin(), seen.end(), name) != seen.end()) {
        report(definition_errc::invalid_value, agent, "fallback",
               "names '" + name + "'" +
                   (name == r.profile ? ", the agent's own profile" : " twice"));
        continue;
      }
      seen.push_back(name);
      model_settings own;
      own.system_prompt = agent.settings.system_prompt;
      own.temperature = agent.settings.temperature;
      own.max_tokens = agent.settings.max_tokens;
      const auto s = overlay(p->second.settings, own);
      auto backend = s.names_target() ? target_backend(s, c_) : std::nullopt;
      if (!backend || backend->provider == provider_kind::process ||
          (!s.model && backend->provider != provider_kind::mock)) {
        report(definition_errc::invalid_value, agent, "fallback",
               "profile '" + name + "' cannot be fallen back to: " +
                   (!backend ? "it names no backend or provider that exists"
                    : backend->provider == provider_kind::process ? "it runs programs"
                                                                  : "it names no model"));
        continue;
      }
      r.fallbacks.push_back({name, std::move(*backend), s.model.value_or("mock"),
                             s.system_prompt.value_or(""), s.temperature, s.max_tokens, s.mock});
    }
    return out_.size() == problems;
  }

  std::optional<backend_spec> backend_for(const agent_spec& agent, const model_settings& s) {
    if (!s.names_target()) {
      report(definition_errc::no_model, agent, "name",
             "agent '" + agent.name +
                 "' has no model: set profile, backend, or provider and model (provider = "
                 "\"mock\" needs no server)");
      return std::nullopt;
    }
    auto backend = target_backend(s, c_);
    if (!backend) {
      report(definition_errc::unknown_backend, agent, "backend",
             "unknown backend '" + s.backend.value_or("") + "'" +
                 did_you_mean(s.backend.value_or(""), keys_of(c_.backends)) +
                 "; the backends are " +
                 nearest_first(s.backend.value_or(""), keys_of(c_.backends)));
    }
    return backend;
  }

  // Which profiles exist (nearest `name` first) and where they come from.
  std::string where_profiles_live(const std::string& name) const {
    if (c_.profiles.empty() && c_.file.empty()) {
      return "; no configuration file was found, and profiles are defined in one (tutti.toml "
             "or --config)";
    }
    if (c_.profiles.empty()) {
      return "; " + c_.file + " defines no profiles";
    }
    return "; the profiles are " + nearest_first(name, keys_of(c_.profiles)) +
           (c_.file.empty() ? std::string{} : " (from " + c_.file + ")");
  }

  void report(definition_errc code, const agent_spec& agent, const std::string& key,
              std::string message) {
    out_.push_back(
        {code, agent.location_of(key), "agents." + agent.name + "." + key, std::move(message)});
  }

  const ensemble& e_;
  const config& c_;
  diagnostics& out_;
  ensemble_loader load_;
  bool skip_nested_;
};

} // namespace

std::optional<backend_spec> target_backend(const model_settings& s, const config& c) {
  if (s.backend) {
    auto b = c.backends.find(*s.backend);
    return b == c.backends.end() ? std::nullopt : std::optional{b->second};
  }
  if (!s.provider) {
    return std::nullopt;
  }
  if (!s.base_url) {
    // The provider's default backend, which the configuration may have redefined.
    return c.backends.at(*s.provider);
  }
  backend_spec b;
  b.provider = parse_provider_kind(*s.provider).value_or(provider_kind::mock);
  b.name = *s.provider + "@" + *s.base_url;
  b.base_url = *s.base_url;
  return b;
}

void for_each_caller(const resolved_ensemble& e,
                     const std::function<void(const resolved_agent&)>& f) {
  std::vector<const resolved_ensemble*> seen;
  const std::function<void(const resolved_ensemble&)> visit = [&](const resolved_ensemble& x) {
    if (std::find(seen.begin(), seen.end(), &x) != seen.end()) {
      return;
    }
    seen.push_back(&x);
    for (const auto& agent : x.agents) {
      if (agent.nested) {
        visit(*agent.nested->body);
      } else {
        f(agent);
      }
    }
  };
  visit(e);
}

diagnostics reference_problems(const ensemble& e, const config& c) {
  diagnostics out;
  agent_resolver resolver{e, c, out, {}, true};
  for (const auto& agent : e.agents) {
    resolver.resolve(agent);
  }
  return out;
}

outcome<resolved_ensemble> resolve(const ensemble& e, const config& c,
                                   const ensemble_loader& load) {
  diagnostics out;
  resolved_ensemble r;
  r.name = e.name;
  r.description = e.description;
  r.default_input = e.default_input;
  r.file = e.file;
  r.max_concurrent_agents = e.max_concurrent_agents.value_or(c.limits.max_concurrent_agents);
  r.max_concurrent_llm_calls = c.limits.max_concurrent_llm_calls;
  r.timeout = e.timeout.value_or(c.limits.ensemble_timeout);
  r.scheduling = e.scheduling;
  agent_resolver resolver{e, c, out, load};
  const auto indices = dependency_indices(e.agents);
  r.agents.reserve(e.agents.size());
  for (std::size_t i = 0; i < e.agents.size(); ++i) {
    if (auto agent = resolver.resolve(e.agents[i])) {
      agent->dependency_indices = indices[i];
      r.agents.push_back(std::move(*agent));
    }
  }
  if (!out.empty()) {
    return out;
  }
  r.phases = plan_phases(e.agents);
  for (std::size_t k = 0; k < r.phases.size(); ++k) {
    for (auto i : r.phases[k]) {
      r.agents[i].phase = k;
    }
  }
  return r;
}

} // namespace tutti::definition
