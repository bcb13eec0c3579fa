#include <tutti/definition/ensemble_builder.hpp>
#include <tutti/definition/ensemble_parser.hpp>
#include <tutti/definition/value_ranges.hpp>

namespace tutti::definition {
namespace {

class value_checker {
 public:
  explicit value_checker(diagnostics& out) : out_(out) {}

  void range(const std::string& field, const std::optional<int>& value, value_range<int> r) {
    if (value) {
      report(field, range_problem(*value, r));
    }
  }
  void range(const std::string& field, const std::optional<double>& value, value_range<double> r) {
    if (value) {
      report(field, range_problem(*value, r));
    }
  }
  void duration(const std::string& field, const std::optional<std::chrono::milliseconds>& d) {
    if (d && (d->count() <= 0 || d->count() > max_seconds * 1000)) {
      report(field, "must be greater than 0 and at most a year");
    }
  }
  void problem(definition_errc code, const std::string& field, std::string message) {
    out_.push_back({code, {}, field, std::move(message)});
  }

 private:
  void report(const std::string& field, std::optional<std::string> message) {
    if (message) {
      problem(definition_errc::out_of_range, field, std::move(*message));
    }
  }
  diagnostics& out_;
};

void check_agent_values(const agent_spec& a, value_checker& check) {
  const auto field = "agents." + a.name + ".";
  if (!is_valid_agent_name(a.name)) {
    check.problem(definition_errc::invalid_value, field + "name",
                  "'" + a.name + "' may contain only letters, digits, '-' and '_'");
  }
  check.range(field + "priority", a.priority, priority_range);
  check.range(field + "temperature", a.settings.temperature, temperature_range);
  check.range(field + "max_tokens", a.settings.max_tokens, max_tokens_range);
  check.duration(field + "timeout", a.settings.timeout);
  check.duration(field + "queue_timeout", a.settings.queue_timeout);
  const auto& s = a.settings;
  if (auto problem =
          check_target(s.backend.has_value(), s.provider.has_value(), s.base_url.has_value())) {
    check.problem(problem->code, field + problem->key, std::move(problem->message));
  }
  if (s.provider && !parse_provider_kind(*s.provider)) {
    check.problem(definition_errc::invalid_value, field + "provider",
                  unknown_provider_message(*s.provider));
  }
}

} // namespace

agent_builder::agent_builder(ensemble_builder& parent, std::string name) : parent_(&parent) {
  spec_.name = std::move(name);
}

agent_builder& agent_builder::profile(std::string name) {
  spec_.profile = std::move(name);
  return *this;
}
agent_builder& agent_builder::backend(std::string name) {
  spec_.settings.backend = std::move(name);
  return *this;
}
agent_builder& agent_builder::provider(std::string name) {
  spec_.settings.provider = std::move(name);
  return *this;
}
agent_builder& agent_builder::base_url(std::string url) {
  spec_.settings.base_url = std::move(url);
  return *this;
}
agent_builder& agent_builder::model(std::string name) {
  spec_.settings.model = std::move(name);
  return *this;
}
agent_builder& agent_builder::system_prompt(std::string text) {
  spec_.settings.system_prompt = std::move(text);
  return *this;
}
agent_builder& agent_builder::prompt(std::string text) {
  spec_.prompt = std::move(text);
  return *this;
}
agent_builder& agent_builder::timeout(std::chrono::milliseconds t) {
  spec_.settings.timeout = t;
  return *this;
}
agent_builder& agent_builder::priority(int p) {
  spec_.priority = p;
  return *this;
}
agent_builder& agent_builder::temperature(double t) {
  spec_.settings.temperature = t;
  return *this;
}
agent_builder& agent_builder::max_tokens(int n) {
  spec_.settings.max_tokens = n;
  return *this;
}
agent_builder& agent_builder::depends_on(std::vector<std::string> agents) {
  spec_.depends_on = std::move(agents);
  return *this;
}
agent_builder& agent_builder::on_dependency_failure(dependency_failure_policy policy) {
  spec_.on_dependency_failure = policy;
  return *this;
}
agent_builder& agent_builder::when(std::string condition) {
  spec_.when = std::move(condition);
  return *this;
}
agent_builder& agent_builder::fan_out(std::string dependency) {
  spec_.fan_out = std::move(dependency);
  return *this;
}
agent_builder& agent_builder::mock(mock_settings settings) {
  spec_.settings.mock = std::move(settings);
  return *this;
}
agent_builder& agent_builder::agent(std::string name) {
  return parent_->agent(std::move(name));
}
outcome<resolved_ensemble> agent_builder::build(const config& c) const {
  return parent_->build(c);
}

ensemble_builder::ensemble_builder(std::string name) {
  ensemble_.name = std::move(name);
  ensemble_.file = "(built in code)";
}

ensemble_builder& ensemble_builder::description(std::string text) {
  ensemble_.description = std::move(text);
  return *this;
}
ensemble_builder& ensemble_builder::default_input(std::string text) {
  ensemble_.default_input = std::move(text);
  return *this;
}
ensemble_builder& ensemble_builder::max_concurrent_agents(int n) {
  ensemble_.max_concurrent_agents = n;
  return *this;
}
ensemble_builder& ensemble_builder::timeout(std::chrono::milliseconds t) {
  ensemble_.timeout = t;
  return *this;
}
ensemble_builder& ensemble_builder::priority(int p) {
  ensemble_.priority = p;
  return *this;
}
ensemble_builder& ensemble_builder::scheduling(scheduling_policy s) {
  ensemble_.scheduling = s;
  return *this;
}

agent_builder& ensemble_builder::agent(std::string name) {
  return agents_.emplace_back(agent_builder{*this, std::move(name)});
}

outcome<ensemble> ensemble_builder::definition() const {
  ensemble e = ensemble_;
  for (const auto& a : agents_) {
    e.agents.push_back(a.spec_);
  }
  diagnostics out;
  value_checker check{out};
  if (e.name.empty()) {
    check.problem(definition_errc::empty_field, "name", "must not be empty");
  }
  if (e.agents.empty()) {
    check.problem(definition_errc::missing_field, "agents", "an ensemble needs at least one agent");
  }
  check.range("priority", e.priority, priority_range);
  check.range("max_concurrent_agents", e.max_concurrent_agents, cap_range);
  check.duration("timeout", e.timeout);
  for (const auto& a : e.agents) {
    check_agent_values(a, check);
  }
  auto across = check_agents(e.agents);
  out.insert(out.end(), across.begin(), across.end());
  if (!out.empty()) {
    return out;
  }
  return e;
}

outcome<resolved_ensemble> ensemble_builder::build(const config& c) const {
  auto e = definition();
  if (!e) {
    return e.problems();
  }
  return resolve(*e, c);
}

} // namespace tutti::definition
