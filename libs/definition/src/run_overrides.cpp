#include <tutti/definition/ensemble_parser.hpp>
#include <tutti/definition/nearest_name.hpp>
#include <tutti/definition/provider_kind.hpp>
#include <tutti/definition/run_overrides.hpp>
#include <tutti/definition/server_url.hpp>
#include <tutti/definition/value_ranges.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>

namespace tutti::definition {
namespace {

void clear_target(model_settings& s) {
  s.backend.reset();
  s.provider.reset();
  s.base_url.reset();
}

diagnostic problem(definition_errc code, const std::string& option, std::string message) {
  return {code, {option, 0, 0}, "", std::move(message)};
}

std::optional<long long> whole_number(const std::string& text) {
  long long value = 0;
  const auto* end = text.data() + text.size();
  auto [at, ec] = std::from_chars(text.data(), end, value);
  return ec == std::errc{} && at == end ? std::optional{value} : std::nullopt;
}

std::optional<double> real_number(const std::string& text) {
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  return !text.empty() && end == text.c_str() + text.size() && std::isfinite(value)
             ? std::optional{value}
             : std::nullopt;
}

// What is wrong with `value` for a field that names something (a model, a server, a profile);
// nullopt when nothing is. Checked as a file's value would be.
std::optional<std::string> naming_problem(const std::string& field, const std::string& value) {
  if (value.empty()) {
    return "must not be empty";
  }
  if (field == "provider" && !parse_provider_kind(value)) {
    return unknown_provider_message(value);
  }
  if (field == "base_url") {
    const auto url = parse_server_url(value);
    if (!url) {
      return "'" + value + "' is not an http:// or https:// URL with a host";
    }
    if (url->has_userinfo) {
      return "must not hold a user name or password: give the key by api_key_env";
    }
  }
  return std::nullopt;
}

// Sets `field` of `agent` to `value`; a problem when the value does not fit the field.
std::optional<std::string> set_field(agent_spec& agent, const std::string& field,
                                     const std::string& value) {
  auto& s = agent.settings;
  if (agent.script && is_model_key(field)) {
    return "does not apply to '" + agent.name +
           "', a script agent, which runs a program rather than a model";
  }
  if ((agent.ensemble || agent.loop) && is_model_key(field)) {
    return "does not apply to '" + agent.name + "', which runs an ensemble rather than a model";
  }
  const bool names_something = field == "model" || field == "backend" || field == "provider" ||
                               field == "base_url" || field == "profile";
  if (names_something) {
    if (auto bad = naming_problem(field, value)) {
      return bad;
    }
  }
  if (field == "model") {
    s.model = value;
  } else if (field == "backend" || field == "provider" || field == "base_url") {
    const bool keeps_provider = field == "base_url" && s.provider;
    auto provider = s.provider;
    clear_target(s);
    if (keeps_provider) {
      s.provider = provider; // a base URL goes with the provider the agent names
    }
    (field == "backend" ? s.backend : field == "provider" ? s.provider : s.base_url) = value;
  } else if (field == "profile") {
    agent.profile = value;
  } else if (field == "prompt") {
    agent.prompt = value;
  } else if (field == "system_prompt") {
    s.system_prompt = value;
  } else if (field == "temperature") {
    auto t = real_number(value);
    if (!t) {
      return "must be a number, got '" + value + "'";
    }
    if (auto bad = range_problem(*t, temperature_range)) {
      return bad;
    }
    s.temperature = t;
  } else if (field == "max_tokens" || field == "priority") {
    auto n = whole_number(value);
    if (!n) {
      return "must be a whole number, got '" + value + "'";
    }
    if (auto bad = range_problem(*n, field == "priority" ? priority_range : max_tokens_range)) {
      return bad;
    }
    (field == "priority" ? agent.priority : s.max_tokens) = static_cast<int>(*n);
  } else { // timeout_seconds
    auto seconds = real_number(value);
    if (!seconds || *seconds <= 0 || *seconds > max_seconds) {
      return "must be a number of seconds above 0, got '" + value + "'";
    }
    s.timeout = std::chrono::milliseconds{static_cast<long long>(*seconds * 1000.0)};
  }
  return std::nullopt;
}

void apply_setting(ensemble& e, const std::string& setting, diagnostics& out) {
  const std::string option = "--set " + setting;
  const auto dot = setting.find('.');
  const auto equals = setting.find('=');
  if (dot == std::string::npos || equals == std::string::npos || equals < dot) {
    out.push_back(problem(definition_errc::invalid_value, option,
                          "give AGENT.FIELD=VALUE, such as critic.model=llama3"));
    return;
  }
  const auto name = setting.substr(0, dot);
  const auto field = setting.substr(dot + 1, equals - dot - 1);
  const auto value = setting.substr(equals + 1);
  auto agent = std::find_if(e.agents.begin(), e.agents.end(),
                            [&](const agent_spec& a) { return a.name == name; });
  if (agent == e.agents.end()) {
    std::vector<std::string> names;
    for (const auto& a : e.agents) {
      names.push_back(a.name);
    }
    out.push_back(problem(definition_errc::unknown_agent, option,
                          "no agent '" + name + "' in " + e.name + did_you_mean(name, names)));
    return;
  }
  const auto& fields = settable_fields();
  if (std::find(fields.begin(), fields.end(), field) == fields.end()) {
    out.push_back(problem(definition_errc::unknown_key, option,
                          "--set cannot change '" + field + "'" + did_you_mean(field, fields) +
                              "; it changes " + nearest_first(field, fields, fields.size())));
    return;
  }
  if (auto bad = set_field(*agent, field, value)) {
    out.push_back(problem(definition_errc::invalid_value, option, field + " " + *bad));
  }
}

} // namespace

const std::vector<std::string>& settable_fields() {
  static const std::vector<std::string> fields{
      "model",         "backend",     "provider",   "base_url",        "profile", "prompt",
      "system_prompt", "temperature", "max_tokens", "timeout_seconds", "priority"};
  return fields;
}

outcome<ensemble> apply_overrides(ensemble e, const run_overrides& o) {
  diagnostics out;
  for (const auto* given : {&o.profile, &o.model}) {
    if (*given && given->value().empty()) {
      out.push_back(problem(definition_errc::empty_field,
                            given == &o.profile ? "--profile" : "--model", "must not be empty"));
    }
  }
  for (auto& agent : e.agents) {
    if (o.profile) {
      agent.profile = *o.profile;
      clear_target(agent.settings);
      agent.settings.model.reset();
    }
    if (o.model) {
      agent.settings.model = *o.model;
    }
  }
  for (const auto& setting : o.settings) {
    apply_setting(e, setting, out);
  }
  if (o.timeout) {
    e.timeout = *o.timeout;
  }
  if (out.empty() && !o.settings.empty()) {
    // A prompt given on the command line is checked as one written in the file would be:
    // {agents.x} must name an agent it depends on.
    out = check_agents(e.agents);
  }
  if (!out.empty()) {
    return out;
  }
  return e;
}

} // namespace tutti::definition
