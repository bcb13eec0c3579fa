#include <tutti/definition/config_builder.hpp>
#include <tutti/definition/nearest_name.hpp>
#include <tutti/definition/value_ranges.hpp>

namespace tutti::definition {

config_builder::config_builder() {
  config_.backends = builtin_backends("");
}

config_builder& config_builder::max_concurrent_llm_calls(int n) {
  config_.limits.max_concurrent_llm_calls = n;
  return *this;
}
config_builder& config_builder::max_concurrent_agents(int n) {
  config_.limits.max_concurrent_agents = n;
  return *this;
}
config_builder& config_builder::agent_timeout(std::chrono::milliseconds t) {
  config_.limits.agent_timeout = t;
  return *this;
}
config_builder& config_builder::ensemble_timeout(std::chrono::milliseconds t) {
  config_.limits.ensemble_timeout = t;
  return *this;
}
config_builder& config_builder::backend(backend_spec b) {
  auto name = b.name;
  config_.backends.insert_or_assign(std::move(name), std::move(b));
  return *this;
}
config_builder& config_builder::profile(std::string name, model_settings settings) {
  auto key = name;
  config_.profiles.insert_or_assign(std::move(key),
                                    definition::profile{std::move(name), std::move(settings), {}});
  return *this;
}

outcome<config> config_builder::build() const {
  diagnostics out;
  auto problem = [&](definition_errc code, std::string field, std::string message) {
    out.push_back({code, {}, std::move(field), std::move(message)});
  };
  const auto& limits = config_.limits;
  for (auto [field, value] :
       {std::pair{"limits.max_concurrent_llm_calls", limits.max_concurrent_llm_calls},
        std::pair{"limits.max_concurrent_agents", limits.max_concurrent_agents}}) {
    if (auto message = range_problem(value, cap_range)) {
      problem(definition_errc::out_of_range, field, *message);
    }
  }
  if (limits.agent_timeout.count() <= 0 || limits.ensemble_timeout.count() <= 0) {
    problem(definition_errc::out_of_range, "limits", "timeouts must be greater than 0");
  }
  std::vector<std::string> backend_names;
  for (const auto& [name, b] : config_.backends) {
    backend_names.push_back(name);
    if (auto reserved = parse_provider_kind(name); reserved && *reserved != b.provider) {
      problem(definition_errc::invalid_value, "backends." + name + ".provider",
              "the backend name '" + name + "' is reserved for provider '" + name + "'");
    }
  }
  for (const auto& [name, p] : config_.profiles) {
    const auto& s = p.settings;
    if (auto target =
            check_target(s.backend.has_value(), s.provider.has_value(), s.base_url.has_value())) {
      problem(target->code, "profiles." + name + "." + target->key, target->message);
    }
    if (s.provider && !parse_provider_kind(*s.provider)) {
      problem(definition_errc::invalid_value, "profiles." + name + ".provider",
              unknown_provider_message(*s.provider));
    }
    if (s.backend && config_.backends.count(*s.backend) == 0) {
      problem(definition_errc::unknown_backend, "profiles." + name + ".backend",
              "unknown backend '" + *s.backend + "'" + did_you_mean(*s.backend, backend_names));
    }
  }
  if (!out.empty()) {
    return out;
  }
  return config_;
}

} // namespace tutti::definition
