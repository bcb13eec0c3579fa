// tutti plan NAME|FILE: how an ensemble would run: its phases, each agent's backend, group
// and limit, and the effective caps and timeouts.
#include "commands.hpp"
#include "text_table.hpp"

#include <tutti/definition/condition.hpp>
#include <tutti/resources/group_directory.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

namespace tutti::cli {
namespace {

std::string joined(const std::vector<std::string>& names) {
  std::string text;
  for (const auto& n : names) {
    text += (text.empty() ? "" : ", ") + n;
  }
  return text.empty() ? "-" : text;
}

nlohmann::ordered_json fallback_profiles(const definition::resolved_agent& a) {
  auto profiles = nlohmann::ordered_json::array();
  for (const auto& fallback : a.fallbacks) {
    profiles.push_back(fallback.profile);
  }
  return profiles;
}

// The ensembles that e's agents run, each once, in the order first named.
std::vector<const definition::resolved_ensemble*>
nested_ensembles(const definition::resolved_ensemble& e) {
  std::vector<const definition::resolved_ensemble*> bodies;
  for (const auto& a : e.agents) {
    if (a.nested && std::find(bodies.begin(), bodies.end(), a.nested->body.get()) == bodies.end()) {
      bodies.push_back(a.nested->body.get());
    }
  }
  return bodies;
}

// What the table does not say of an agent: that it fans out, runs only when, or runs a program.
void print_notes(std::ostream& out, const definition::resolved_agent& a) {
  if (a.fan_out) {
    out << "  " << a.name << " runs once per item of the output of " << a.depends_on[*a.fan_out]
        << ", as " << a.name << "[0], " << a.name << "[1], ...\n";
  }
  if (a.when) {
    out << "  " << a.name << " runs only when " << a.when->text() << '\n';
  }
  if (!a.fallbacks.empty()) {
    std::vector<std::string> profiles;
    for (const auto& fallback : a.fallbacks) {
      profiles.push_back(fallback.profile + " (" + fallback.model + " on " + fallback.backend.name +
                         ")");
    }
    out << "  " << a.name << " falls back to " << joined(profiles) << '\n';
  }
  if (a.output) {
    out << "  " << a.name << " must answer JSON"
        << (a.output->schema ? " matching its output_schema" : "")
        << " (asked again once if it does not)\n";
  }
  if (a.input_key) {
    out << "  " << a.name << " is given the field " << *a.input_key << " of "
        << a.depends_on.front() << "'s output in its place\n";
  }
  if (a.nested) {
    const auto& n = *a.nested;
    out << "  " << a.name << " runs ensemble " << n.body->name << " (" << n.body->file << ")";
    if (n.is_loop) {
      std::vector<std::string> carried;
      for (const auto& [text, value] : n.carry) {
        carried.push_back(text);
      }
      out << " again" << (n.until ? " until " + n.until->text() + "," : "") << " at most "
          << n.max_iterations << " times"
          << (carried.empty()
                  ? ""
                  : ", giving the next " + joined(carried) +
                        (n.carry_replaces_input ? " as its input" : " after the input"));
    }
    out << "; its final output is " << a.name << "'s\n";
  }
  if (!a.script.empty()) {
    std::string command;
    for (const auto& word : a.script) {
      command += (command.empty() ? "" : " ") + word;
    }
    out << "  " << a.name << " runs the program: " << command << " (in " << a.script_directory
        << ")\n";
  }
}

void print_plan(std::ostream& out, const definition::resolved_ensemble& e) {
  out << "ensemble " << e.name << " (" << e.file << ")\n";
  if (!e.description.empty()) {
    out << "  " << e.description << '\n';
  }
  out << "  max_concurrent_agents " << e.max_concurrent_agents << ", max_concurrent_llm_calls "
      << e.max_concurrent_llm_calls << ", ensemble timeout " << definition::duration_text(e.timeout)
      << '\n';
  resources::group_directory directory;
  std::set<std::string> groups;
  for (std::size_t k = 0; k < e.phases.size(); ++k) {
    const auto& phase = e.phases[k];
    out << "\nphase " << k << " (" << phase.size() << (phase.size() == 1 ? " agent" : " agents")
        << ")\n";
    text_table table{{"AGENT", "BACKEND", "MODEL", "GROUP", "LIMIT", "TIMEOUT", "QUEUE TIMEOUT",
                      "PRIORITY", "DEPENDS ON"}};
    for (auto i : phase) {
      const auto& a = e.agents[i];
      if (a.nested) { // its nested ensemble's agents have backends and groups, planned below
        table.add_row({a.name, "-", "-", "-", "-", definition::duration_text(a.timeout), "-",
                       std::to_string(a.priority), joined(a.depends_on)});
        continue;
      }
      auto group = directory.join(a.backend, a.model).group;
      groups.insert(group.id);
      table.add_row({a.name, a.backend.name, a.model, group.id, resources::limit_text(group),
                     definition::duration_text(a.timeout),
                     a.queue_timeout ? definition::duration_text(*a.queue_timeout) : "-",
                     std::to_string(a.priority), joined(a.depends_on)});
    }
    table.print(out, 2);
    for (auto i : phase) {
      print_notes(out, e.agents[i]);
    }
  }
  bool is_first = true;
  for (const auto& id : groups) {
    if (auto spellings = directory.spellings(id); !spellings.empty()) {
      out << (is_first ? "\n" : "");
      is_first = false;
      print_spellings(out, id, spellings);
    }
  }
  for (const auto* body : nested_ensembles(e)) {
    out << '\n';
    print_plan(out, *body);
  }
}

double seconds_of(std::chrono::milliseconds d) {
  return static_cast<double>(d.count()) / 1000.0;
}

// A loop's condition, cap and carried values; null for an agent that runs its ensemble once.
nlohmann::ordered_json loop_json(const definition::nested_ensemble& n) {
  using json = nlohmann::ordered_json;
  if (!n.is_loop) {
    return nullptr;
  }
  json carry = json::array();
  for (const auto& [text, value] : n.carry) {
    carry.push_back(text);
  }
  return {{"until", n.until ? json(n.until->text()) : json(nullptr)},
          {"max_iterations", n.max_iterations},
          {"carry", std::move(carry)},
          {"carry_replaces_input", n.carry_replaces_input}};
}

// The plan as JSON: the same facts as the text, and the plans of the ensembles its agents run.
nlohmann::ordered_json plan_json(const definition::resolved_ensemble& e) {
  using json = nlohmann::ordered_json;
  resources::group_directory directory;
  json phases = json::array();
  std::set<std::string> groups;
  for (const auto& phase : e.phases) {
    json agents = json::array();
    for (auto i : phase) {
      const auto& a = e.agents[i];
      if (a.nested) {
        agents.push_back({{"agent", a.name},
                          {"ensemble", a.nested->body->name},
                          {"loop", loop_json(*a.nested)},
                          {"timeout_seconds", seconds_of(a.timeout)},
                          {"priority", a.priority},
                          {"depends_on", a.depends_on},
                          {"fan_out", a.fan_out ? json(a.depends_on[*a.fan_out]) : json(nullptr)},
                          {"when", a.when ? json(a.when->text()) : json(nullptr)}});
        continue;
      }
      auto group = directory.join(a.backend, a.model).group;
      groups.insert(group.id);
      agents.push_back(
          {{"agent", a.name},
           {"backend", a.backend.name},
           {"model", a.model},
           {"group", group.id},
           // As the run JSON gives limits: a number, null when unlimited.
           {"limit", group.limit.is_unlimited() ? json(nullptr) : json(group.limit.max())},
           {"auto_limit", group.is_auto_limit},
           {"timeout_seconds", seconds_of(a.timeout)},
           {"queue_timeout_seconds",
            a.queue_timeout ? json(seconds_of(*a.queue_timeout)) : json(nullptr)},
           {"priority", a.priority},
           {"depends_on", a.depends_on},
           {"fan_out", a.fan_out ? json(a.depends_on[*a.fan_out]) : json(nullptr)},
           {"when", a.when ? json(a.when->text()) : json(nullptr)},
           {"fallback", fallback_profiles(a)},
           {"script", a.script.empty() ? json(nullptr) : json(a.script)},
           {"input_key", a.input_key ? json(*a.input_key) : json(nullptr)},
           {"output_schema", !a.output          ? json(nullptr)
                             : a.output->schema ? json(*a.output->schema)
                                                : json("json")}});
    }
    phases.push_back(std::move(agents));
  }
  json spellings = json::object();
  for (const auto& id : groups) {
    if (auto other = directory.spellings(id); !other.empty()) {
      spellings[id] = other;
    }
  }
  json nested = json::array();
  for (const auto* body : nested_ensembles(e)) {
    nested.push_back(plan_json(*body));
  }
  return {{"ensemble", e.name},
          {"file", e.file},
          {"description", e.description},
          {"max_concurrent_agents", e.max_concurrent_agents},
          {"max_concurrent_llm_calls", e.max_concurrent_llm_calls},
          {"timeout_seconds", seconds_of(e.timeout)},
          {"phases", std::move(phases)},
          {"spellings", std::move(spellings)},
          {"nested", std::move(nested)}};
}

} // namespace

void add_plan_command(CLI::App& app, command_state& state) {
  auto* cmd = app.add_subcommand("plan", "Show the phases, backends, groups, limits and "
                                         "timeouts an ensemble would run with");
  auto name = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  cmd->add_option("ensemble", *name, "Ensemble file or name")->required();
  cmd->add_flag("--json", *json, "Print the plan as one JSON document");
  cmd->callback([&state, name, json] {
    auto config = load_config_or_report(state);
    if (!config) {
      return;
    }
    if (auto e = load_ensemble_or_report(state, *name, *config)) {
      if (*json) {
        state.ctx.out << plan_json(*e).dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
                      << '\n';
      } else {
        print_plan(state.ctx.out, *e);
      }
    }
  });
}

} // namespace tutti::cli
