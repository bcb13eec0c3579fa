#include "model_settings_reader.hpp"
#include "table_reader.hpp"

#include <tutti/definition/condition.hpp>
#include <tutti/definition/dependency_graph.hpp>
#include <tutti/definition/ensemble_parser.hpp>
#include <tutti/definition/nearest_name.hpp>
#include <tutti/definition/output_schema.hpp>
#include <tutti/definition/prompt_template.hpp>
#include <tutti/definition/source_text.hpp>

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

namespace tutti::definition {
namespace {

// A loop's body, condition, cap and carried outputs, from its inline table.
std::optional<loop_spec> read_loop(table_reader& agent_reader, const std::string& agent_path) {
  const auto* table = agent_reader.table("loop");
  if (table == nullptr) {
    return std::nullopt;
  }
  table_reader reader{*table, agent_reader.file(), agent_path + ".loop", agent_reader.problems()};
  loop_spec loop;
  loop.body = reader.required_text("body").value_or("");
  loop.until = reader.non_empty_text("until");
  loop.max_iterations =
      reader.integer("max_iterations", max_iterations_range).value_or(default_max_iterations);
  if (const auto* carry = table->get("carry"); carry != nullptr && carry->is_string()) {
    loop.carry = {reader.non_empty_text("carry").value_or("")};
    loop.carry_replaces_input = true;
  } else {
    loop.carry = reader.text_list("carry").value_or(std::vector<std::string>{});
  }
  if (!loop.until && !reader.has("max_iterations")) {
    reader.report(definition_errc::missing_field, "until",
                  "a loop needs until = \"CONDITION\" or max_iterations = N to know when to "
                  "stop");
  }
  reader.report_unknown_keys();
  return loop;
}

// An agent runs a model, unless it runs a program (script), another ensemble (ensemble) or
// an ensemble in a loop (loop): then the keys that pick or tune a model do not apply.
void read_kind(table_reader& reader, agent_spec& agent, const std::string& path) {
  agent.script = reader.text_list("script");
  if (reader.choice("script_input", {"text", "json"}) == "json") {
    agent.script_input_kind = script_input::json;
  }
  agent.ensemble = reader.non_empty_text("ensemble");
  agent.loop = read_loop(reader, path);
  agent.nested_output = reader.choice("nested_output", {"final", "llm-orc"});
  if (agent.nested_output && !agent.ensemble && !agent.loop) {
    reader.report(definition_errc::conflicting_fields, "nested_output",
                  "applies only to agents that run an ensemble (ensemble = ... or loop = ...)");
  }
  if (!agent.script && reader.has("script_input")) {
    reader.report(definition_errc::conflicting_fields, "script_input",
                  "applies only to script agents (script = [\"program\", \"argument\", ...])");
  }
  if (agent.script && (agent.script->empty() || agent.script->front().empty())) {
    reader.report(definition_errc::invalid_value, "script",
                  "needs the program to run first, as in [\"python3\", \"tools/count.py\"]");
  }
  std::vector<std::string> kinds;
  for (const auto* key : {"script", "ensemble", "loop"}) {
    if (reader.has(key)) {
      kinds.emplace_back(key);
    }
  }
  if (kinds.empty()) {
    return;
  }
  if (kinds.size() > 1) {
    reader.report(definition_errc::conflicting_fields, kinds[1],
                  "an agent runs one thing: it has both " + kinds[0] + " and " + kinds[1]);
  }
  const auto what = kinds[0] == "script"     ? "a script agent, which runs a program"
                    : kinds[0] == "ensemble" ? "an agent that runs an ensemble"
                                             : "a loop agent, which runs an ensemble";
  for (const auto key : model_keys) {
    if (reader.has(key)) {
      reader.report(definition_errc::conflicting_fields, key,
                    std::string{"does not apply to "} + what + " rather than a model");
    }
  }
}

// What an agent is given of its dependencies (input_key), gives its program (parameters) and
// must answer (output_format, output_schema).
void read_data_keys(table_reader& reader, agent_spec& agent) {
  agent.input_key = reader.non_empty_text("input_key"); // needs a dependency: check_agents
  agent.parameters = reader.json_table("parameters");
  if (agent.parameters && !agent.script) {
    reader.report(definition_errc::conflicting_fields, "parameters",
                  "applies only to script agents, whose program reads them in its JSON input");
  } else if (agent.parameters && agent.script_input_kind != script_input::json) {
    reader.report(definition_errc::conflicting_fields, "parameters",
                  "reach the program in its JSON input: set script_input = \"json\"");
  }
  agent.output_format = reader.choice("output_format", {"json"});
  agent.output_schema = reader.json_table("output_schema");
  if (agent.output_schema) {
    for (const auto& problem : schema_problems(*agent.output_schema)) {
      reader.report_value(definition_errc::invalid_value, "output_schema", problem);
    }
  }
}

agent_spec read_agent(const toml::table& table, std::size_t index, const std::string& file,
                      diagnostics& out) {
  table_reader reader{table, file, "agents[" + std::to_string(index) + "]", out};
  agent_spec agent;
  agent.where = reader.location();
  agent.keys.reserve(table.size());
  for (const auto& [key, node] : table) {
    const auto& at = key.source().begin;
    agent.keys.push_back(
        {std::string{key.str()}, static_cast<int>(at.line), static_cast<int>(at.column)});
  }
  if (auto name = reader.required_text("name")) {
    if (!is_valid_agent_name(*name)) {
      reader.report(definition_errc::invalid_value, "name",
                    "'" + *name + "' may contain only letters, digits, '-' and '_'");
    }
    // Kept even when invalid, so that the agent's other problems can name it.
    agent.name = *name;
    reader.set_path("agents." + *name);
  }
  const auto path =
      agent.name.empty() ? "agents[" + std::to_string(index) + "]" : "agents." + agent.name;
  agent.profile = reader.non_empty_text("profile");
  agent.settings = read_model_settings(reader);
  agent.priority = reader.integer("priority", priority_range);
  agent.prompt = reader.text("prompt");
  agent.depends_on = reader.text_list("depends_on").value_or(std::vector<std::string>{});
  if (reader.choice("on_dependency_failure", {"skip", "run"}) == "run") {
    agent.on_dependency_failure = dependency_failure_policy::run;
  }
  agent.when = reader.non_empty_text("when");
  if (auto fan_out = reader.flag_or_text("fan_out")) {
    if (const auto* name = std::get_if<std::string>(&*fan_out)) {
      agent.fan_out = *name;
    } else if (std::get<bool>(*fan_out)) {
      agent.fan_out = "";
    }
  }
  read_kind(reader, agent, path);
  read_data_keys(reader, agent);
  reader.report_unknown_keys();
  return agent;
}

diagnostic agent_problem(definition_errc code, const agent_spec& agent, const std::string& key,
                         std::string message) {
  return {code, agent.location_of(key), "agents." + agent.name + "." + key, std::move(message)};
}

void check_names(const std::vector<agent_spec>& agents, diagnostics& out) {
  std::unordered_map<std::string, const agent_spec*> first;
  for (const auto& agent : agents) {
    if (agent.name.empty()) {
      continue;
    }
    auto [seen, inserted] = first.emplace(agent.name, &agent);
    if (!inserted) {
      out.push_back(agent_problem(definition_errc::duplicate_agent, agent, "name",
                                  "agent '" + agent.name + "' is defined twice (first at line " +
                                      std::to_string(seen->second->location_of("name").line) +
                                      ")"));
    }
  }
}

// A condition parses, and refers only to the agent's own dependencies: it is decided once they
// have finished.
void check_condition(const agent_spec& agent, const std::vector<std::string>& names,
                     diagnostics& out) {
  auto parsed = condition::parse(*agent.when);
  if (const auto* error = std::get_if<condition_error>(&parsed)) {
    out.push_back(agent_problem(definition_errc::invalid_value, agent, "when",
                                "column " + std::to_string(error->column) +
                                    " of the condition: " + error->message));
    return;
  }
  const auto& deps = agent.depends_on;
  if (std::get<condition>(parsed).agents().empty()) {
    out.push_back(agent_problem(definition_errc::invalid_value, agent, "when",
                                "refers to no agent, so it never changes: name a dependency, as "
                                "in ${NAME} or status(NAME) == success"));
    return;
  }
  for (const auto& ref : std::get<condition>(parsed).agents()) {
    if (std::find(names.begin(), names.end(), ref) == names.end()) {
      out.push_back(
          agent_problem(definition_errc::unknown_agent, agent, "when",
                        "refers to an unknown agent '" + ref + "'" + did_you_mean(ref, names)));
    } else if (std::find(deps.begin(), deps.end(), ref) == deps.end()) {
      out.push_back(agent_problem(definition_errc::invalid_value, agent, "when",
                                  "refers to '" + ref +
                                      "', which is not in depends_on; add it there so that "
                                      "its result exists when the condition is decided"));
    }
  }
}

// A fan-out names the one dependency whose output it splits.
void check_fan_out(const agent_spec& agent, const std::vector<std::string>& names,
                   diagnostics& out) {
  const auto& over = *agent.fan_out;
  const auto& deps = agent.depends_on;
  if (over.empty()) {
    if (deps.size() != 1) {
      out.push_back(agent_problem(
          definition_errc::invalid_value, agent, "fan_out",
          "fan_out = true splits the output of the agent's only dependency, and it has " +
              std::to_string(deps.size()) +
              (deps.empty() ? ": add one to depends_on"
                            : ": name the one to split, as fan_out = \"" + deps.front() + "\"")));
    }
  } else if (over == agent.name) {
    out.push_back(agent_problem(definition_errc::invalid_value, agent, "fan_out",
                                "names the agent itself; name the dependency whose output it "
                                "splits"));
  } else if (std::find(names.begin(), names.end(), over) == names.end()) {
    out.push_back(agent_problem(definition_errc::unknown_agent, agent, "fan_out",
                                "unknown agent '" + over + "'" + did_you_mean(over, names)));
  } else if (std::find(deps.begin(), deps.end(), over) == deps.end()) {
    out.push_back(agent_problem(definition_errc::invalid_value, agent, "fan_out",
                                "splits the output of '" + over +
                                    "', which is not in depends_on; add it there"));
  }
}

void check_references(const std::vector<agent_spec>& agents, diagnostics& out) {
  std::vector<std::string> names;
  for (const auto& agent : agents) {
    names.push_back(agent.name);
  }
  const std::unordered_set<std::string> known(names.begin(), names.end());
  auto is_agent = [&](const std::string& name) { return known.count(name) != 0; };
  for (const auto& agent : agents) {
    for (auto dep = agent.depends_on.begin(); dep != agent.depends_on.end(); ++dep) {
      if (!is_agent(*dep)) {
        out.push_back(agent_problem(definition_errc::unknown_agent, agent, "depends_on",
                                    "unknown agent '" + *dep + "'" + did_you_mean(*dep, names)));
      } else if (std::find(agent.depends_on.begin(), dep, *dep) != dep) {
        out.push_back(agent_problem(definition_errc::invalid_value, agent, "depends_on",
                                    "lists '" + *dep + "' twice"));
      }
    }
    if (agent.when) {
      check_condition(agent, names, out);
    }
    if (agent.fan_out) {
      check_fan_out(agent, names, out);
    }
    if (agent.input_key && agent.depends_on.empty()) {
      out.push_back(agent_problem(definition_errc::invalid_value, agent, "input_key",
                                  "picks a field of the first dependency's JSON output, and the "
                                  "agent has no dependency: add one to depends_on"));
    }
    if (!agent.prompt) {
      continue;
    }
    for (const auto& ref : referenced_agents(*agent.prompt)) {
      const auto& deps = agent.depends_on;
      if (!is_agent(ref)) {
        out.push_back(agent_problem(definition_errc::unknown_agent, agent, "prompt",
                                    "{agents." + ref + "} names an unknown agent" +
                                        did_you_mean(ref, names)));
      } else if (std::find(deps.begin(), deps.end(), ref) == deps.end()) {
        out.push_back(agent_problem(definition_errc::invalid_value, agent, "prompt",
                                    "uses {agents." + ref + "} but '" + ref +
                                        "' is not in depends_on; add it there so that its "
                                        "output exists when this agent runs"));
      }
    }
  }
}

void check_cycles(const std::vector<agent_spec>& agents, diagnostics& out) {
  for (const auto& cycle : find_cycles(agents)) {
    std::string path;
    for (const auto& name : cycle) {
      path += (path.empty() ? "" : " -> ") + name;
    }
    auto first = std::find_if(agents.begin(), agents.end(),
                              [&](const agent_spec& a) { return a.name == cycle.front(); });
    out.push_back(agent_problem(definition_errc::dependency_cycle, *first, "depends_on",
                                "dependency cycle: " + path));
  }
}

} // namespace

diagnostics check_agents(const std::vector<agent_spec>& agents) {
  diagnostics out;
  check_names(agents, out);
  check_references(agents, out);
  check_cycles(agents, out);
  return out;
}

outcome<ensemble> parse_ensemble(std::string_view text, const std::string& file) {
  auto read = read_ensemble(text, file);
  if (!read.problems.empty()) {
    return std::move(read.problems);
  }
  return std::move(read.as_read);
}

ensemble_as_read read_ensemble(std::string_view text, const std::string& file) {
  auto document = parse_toml(text, file);
  if (!document) {
    return {{}, document.problems()};
  }
  const toml::table& root = *document;
  diagnostics out;
  table_reader reader{root, file, "", out};
  ensemble e;
  e.file = file;
  e.name = reader.required_text("name").value_or("");
  e.description = reader.text("description").value_or("");
  e.default_input = reader.text("default_input").value_or("");
  e.max_concurrent_agents = reader.integer("max_concurrent_agents", cap_range);
  e.timeout = reader.seconds("timeout_seconds");
  e.priority = reader.integer("priority", priority_range);
  if (reader.choice("scheduling", {"phased", "eager"}) == "eager") {
    e.scheduling = scheduling_policy::eager;
  }
  if (const auto* agents = reader.table_array("agents")) {
    e.agents.reserve(agents->size());
    for (std::size_t i = 0; i < agents->size(); ++i) {
      e.agents.push_back(read_agent(*agents->get(i)->as_table(), i, file, out));
    }
  } else if (!reader.has("agents")) {
    reader.report(definition_errc::missing_field, "agents",
                  "an ensemble needs at least one [[agents]] table");
  }
  reader.report_unknown_keys();
  auto across = check_agents(e.agents);
  out.insert(out.end(), across.begin(), across.end());
  return {std::move(e), std::move(out)};
}

outcome<ensemble> load_ensemble(const std::filesystem::path& file, std::size_t max_bytes) {
  auto text = read_source_text(file, max_bytes);
  if (!text) {
    return text.problems();
  }
  return parse_ensemble(*text, file.string());
}

} // namespace tutti::definition
