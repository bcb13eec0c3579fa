#include "agent_reader.hpp"

#include "model_keys.hpp"
#include "reference_lookup.hpp"

#include <tutti/definition/nearest_name.hpp>
#include <tutti/definition/value_ranges.hpp>

#include <algorithm>
#include <array>

namespace tutti::llm_orc {
namespace {

using definition::definition_errc;

constexpr std::array<std::string_view, 10> model_agent_keys{
    "model_profile", "model",   "provider",      "system_prompt", "temperature",
    "max_tokens",    "options", "ollama_format", "output_format", "fallback_model_profile"};

agent_kind kind_of(const yaml_mapping& reader) {
  if (reader.has("script")) {
    return agent_kind::script;
  }
  if (reader.has("loop")) {
    return agent_kind::loop;
  }
  if (reader.has("dispatch")) {
    return agent_kind::dispatch;
  }
  if (reader.has("ensemble")) {
    return agent_kind::ensemble;
  }
  return agent_kind::model;
}

std::string_view kind_text(agent_kind kind) {
  switch (kind) {
  case agent_kind::model:
    return "an LLM agent";
  case agent_kind::script:
    return "a script agent";
  case agent_kind::loop:
    return "a loop agent";
  case agent_kind::dispatch:
    return "a dispatch agent";
  case agent_kind::ensemble:
    return "an ensemble agent";
  }
  return "an agent";
}

// The kinds a key belongs to, for "applies only to ...".
std::string kinds_of_key(std::string_view key) {
  if (std::find(model_agent_keys.begin(), model_agent_keys.end(), key) != model_agent_keys.end()) {
    return "LLM agents";
  }
  if (key == "script" || key == "parameters") {
    return "script agents";
  }
  if (key == "loop") {
    return "loop agents";
  }
  if (key == "ensemble") {
    return "ensemble agents";
  }
  if (key == "dispatch") {
    return "dispatch agents";
  }
  return "";
}

void read_dependencies(yaml_mapping& reader, definition::agent_spec& agent) {
  auto deps = reader.sequence("depends_on");
  if (!deps) {
    return;
  }
  for (const auto& item : *deps) {
    if (item.IsScalar()) {
      agent.depends_on.push_back(item.Scalar());
      continue;
    }
    if (!item.IsMap()) {
      reader.problems().push_back(
          {definition_errc::wrong_type, location_in(reader.file(), item.Mark()),
           reader.field("depends_on"),
           "expected an agent's name or {agent_name: NAME}, got " + std::string{kind_name(item)}});
      continue;
    }
    yaml_mapping dep{item, reader.file(), reader.field("depends_on"), reader.problems()};
    if (auto name = dep.required_text("agent_name")) {
      agent.depends_on.push_back(*name);
    }
    for (const auto& key : dep.unread_keys()) {
      dep.report(definition_errc::unknown_key, key,
                 "llm-orc reads only agent_name from a dependency and ignores '" + key + "'" +
                     (key == "condition" ? "; a condition belongs in the agent's when" : "") +
                     definition::did_you_mean(key, {"agent_name"}));
    }
  }
}

void read_common(yaml_mapping& reader, agent_as_read& read) {
  auto& agent = read.spec;
  read_dependencies(reader, agent);
  if (auto fan_out = reader.flag("fan_out"); fan_out && *fan_out) {
    if (agent.depends_on.empty()) {
      reader.report(definition_errc::invalid_value, "fan_out",
                    "fan_out: true splits the output of the first dependency, and there is none "
                    "(llm-orc rejects it too): add depends_on");
    } else {
      agent.fan_out = agent.depends_on.front(); // llm-orc splits the first one
    }
  }
  agent.input_key = reader.text("input_key");
  if (auto scope = reader.text("input_scope")) {
    if (*scope == "dependencies") {
      read.dependencies_only = true;
    } else {
      reader.report_value(definition_errc::invalid_value, "input_scope",
                          "'" + *scope +
                              "' is not an input scope; llm-orc has only "
                              "'dependencies'");
    }
  }
  agent.when = reader.text("when");
  agent.settings.timeout = reader.seconds("timeout_seconds");
}

void read_model_agent(yaml_mapping& reader, agent_as_read& read) {
  auto& agent = read.spec;
  auto& s = agent.settings;
  read.model_profile = reader.text("model_profile");
  if (read.model_profile && read.model_profile->empty()) {
    reader.report_value(definition_errc::empty_field, "model_profile", "must not be empty");
    read.model_profile.reset();
  }
  if (read.model_profile) {
    agent.profile = read.model_profile;
    for (const auto* key : {"model", "provider"}) {
      if (reader.has(key)) {
        reader.accept(key);
        reader.report(definition_errc::conflicting_fields, key,
                      "goes with model and provider, not model_profile (llm-orc rejects both "
                      "together)");
      }
    }
  } else if (reader.has("model") || reader.has("provider")) {
    read_target(reader, s, provider_rule::required_with_model, false);
  } else {
    reader.problems().push_back(
        {definition_errc::no_model, reader.location(), reader.path(),
         "an LLM agent needs model_profile, or model and provider (llm-orc requires one)"});
  }
  s.system_prompt = reader.text("system_prompt");
  // The agent's temperature and max_tokens are laid over its options, as llm-orc does.
  read_options(reader, s);
  if (auto t = reader.number("temperature", definition::temperature_range)) {
    s.temperature = t;
  }
  if (auto m = reader.integer("max_tokens", definition::max_tokens_range)) {
    s.max_tokens = m;
  }
  if (auto format = reader.text("output_format")) {
    if (*format == "json") {
      agent.output_format = format;
    } else {
      reader.report_value(definition_errc::invalid_value, "output_format",
                          "'" + *format + "': tutti knows only output_format: json");
    }
  }
  if (auto format = reader.find("ollama_format")) {
    if (format->IsScalar() && format->Scalar() == "json") {
      agent.output_format = "json";
    } else {
      reader.report_value(definition_errc::invalid_value, "ollama_format",
                          "tutti can ask a model only for JSON (ollama_format: json); it "
                          "cannot pass a schema or another format on");
    }
  }
  if (auto fallback = reader.text("fallback_model_profile")) {
    s.fallback = std::vector<std::string>{*fallback};
  }
}

void read_script_agent(yaml_mapping& reader, definition::agent_spec& agent,
                       const reading_context& ctx) {
  agent.script_input_kind = definition::script_input::json;
  if (auto reference = reader.required_text("script")) {
    auto resolved = resolve_script(*reference, ctx.project);
    if (auto* command = std::get_if<script_command>(&resolved)) {
      agent.script = std::move(command->command);
    } else {
      reader.report_value(definition_errc::not_found, "script",
                          std::get<script_not_found>(resolved).message);
    }
  }
  if (auto parameters = reader.mapping("parameters")) {
    agent.parameters = to_json(*parameters);
    if (!agent.parameters) {
      reader.report_value(definition_errc::out_of_range, "parameters",
                          "nests deeper than " + std::to_string(max_json_depth) +
                              " levels or holds more than " + std::to_string(max_json_values) +
                              " values, aliases followed");
    }
  }
}

std::optional<definition::loop_spec> read_loop(yaml_mapping& reader, const reading_context& ctx) {
  auto node = reader.mapping("loop");
  if (!node) {
    return std::nullopt;
  }
  yaml_mapping loop_reader{*node, reader.file(), reader.field("loop"), reader.problems()};
  definition::loop_spec loop;
  if (auto body = loop_reader.required_text("body")) {
    loop.body = resolve_ensemble_reference(*body, ctx.folder, ctx.local_ensembles);
  }
  if (auto until = loop_reader.required_text("until")) {
    loop.until = rooted_at_output(*until);
  }
  if (!loop_reader.has("max_iterations")) {
    loop_reader.accept("max_iterations");
    loop_reader.report(definition_errc::missing_field, "max_iterations",
                       "is required (llm-orc has no default)");
  } else if (auto n = loop_reader.integer("max_iterations", definition::max_iterations_range)) {
    loop.max_iterations = *n;
  }
  if (auto carry = loop_reader.text("carry")) {
    loop.carry = {rooted_at_output(*carry)};
    loop.carry_replaces_input = true;
  }
  loop_reader.report_unknown_keys(" in a loop (llm-orc's has body, until, max_iterations and "
                                  "carry)");
  return loop;
}

void report_unread_keys(yaml_mapping& reader, agent_kind kind) {
  for (const auto& key : reader.unread_keys()) {
    auto kinds = kinds_of_key(key);
    if (!kinds.empty()) {
      reader.report(definition_errc::unknown_key, key,
                    "applies only to " + kinds + ", and this is " + std::string{kind_text(kind)} +
                        " (llm-orc rejects it too)");
    } else {
      reader.report(definition_errc::unknown_key, key,
                    "unknown agent key (llm-orc rejects it too)" +
                        definition::did_you_mean(key, reader.known()));
    }
  }
}

} // namespace

std::string rooted_at_output(std::string_view expression) {
  std::string rooted;
  std::size_t at = 0;
  for (auto open = expression.find("${"); open != std::string_view::npos;
       open = expression.find("${", at)) {
    rooted.append(expression.substr(at, open + 2 - at));
    at = open + 2;
    if (at < expression.size() && expression[at] != '}') {
      rooted += "output.";
    }
  }
  rooted.append(expression.substr(at));
  return rooted;
}

agent_as_read read_agent(const YAML::Node& node, std::size_t index, const reading_context& ctx,
                         definition::diagnostics& out) {
  agent_as_read read;
  auto& agent = read.spec;
  const auto indexed = "agents[" + std::to_string(index) + "]";
  yaml_mapping reader{node, ctx.file, indexed, out};
  agent.where = reader.location();
  for (const auto& entry : node) {
    auto at = location_in(ctx.file, entry.first.Mark());
    agent.keys.push_back(
        {entry.first.IsScalar() ? entry.first.Scalar() : std::string{}, at.line, at.column});
  }
  if (auto name = reader.required_text("name")) {
    if (!definition::is_valid_agent_name(*name)) {
      reader.report_value(definition_errc::invalid_value, "name",
                          "'" + *name +
                              "' may contain only letters, digits, '-' and '_' in tutti, whose "
                              "prompts name agents as {agents.NAME}");
    }
    agent.name = *name; // kept even when invalid, so that other problems can name the agent
    reader.set_path("agents." + *name);
  }
  read.kind = kind_of(reader);
  read_common(reader, read);
  switch (read.kind) {
  case agent_kind::model:
    read_model_agent(reader, read);
    break;
  case agent_kind::script:
    read_script_agent(reader, agent, ctx);
    break;
  case agent_kind::loop:
    agent.loop = read_loop(reader, ctx);
    agent.nested_output = "llm-orc"; // its dependants read llm-orc's JSON of the loop
    break;
  case agent_kind::ensemble:
    if (auto name = reader.required_text("ensemble")) {
      agent.ensemble = resolve_ensemble_reference(*name, ctx.folder, ctx.local_ensembles);
    }
    agent.nested_output = "llm-orc"; // and of the nested ensemble's result
    break;
  case agent_kind::dispatch:
    reader.accept("dispatch");
    reader.report(definition_errc::invalid_value, "dispatch",
                  "tutti does not run dispatch agents (an ensemble picked at run time); name "
                  "the ensemble with ensemble: NAME");
    break;
  }
  report_unread_keys(reader, read.kind);
  return read;
}

} // namespace tutti::llm_orc
