#include "agent_reader.hpp"
#include "composition.hpp"
#include "llm_orc_dirs.hpp"
#include "yaml_mapping.hpp"

#include <tutti/definition/condition.hpp>
#include <tutti/definition/ensemble_parser.hpp>
#include <tutti/llm_orc/ensemble_reader.hpp>

#include <algorithm>
#include <array>
#include <system_error>

namespace tutti::llm_orc {
namespace {

using definition::definition_errc;
using definition::diagnostics;

// Top-level keys llm-orc's validation, testing and serving layers read; its engine does not.
constexpr std::array<std::string_view, 10> tooling_keys{
    "validation",       "test_mode",        "raw_output",
    "topaz_skill",      "serves",           "output_schema",
    "output_substrate", "output_retention", "calibration_substrate_access",
    "relative_path"};

reading_context context_for(const std::string& file) {
  reading_context ctx;
  ctx.file = file;
  std::error_code ec;
  auto folder = std::filesystem::path{file}.parent_path();
  ctx.folder = std::filesystem::absolute(folder.empty() ? "." : folder, ec).lexically_normal();
  if (ctx.folder.has_parent_path() && !ctx.folder.has_filename()) {
    ctx.folder = ctx.folder.parent_path();
  }
  if (auto local = local_config_dir(ctx.folder)) {
    ctx.project = local->parent_path();
    ctx.local_ensembles = *local / "ensembles";
  } else {
    ctx.project = ctx.folder;
  }
  return ctx;
}

// llm-orc gives an agent with dependencies their outputs in its input, whatever their status;
// in tutti that is a prompt, and running on when a dependency failed.
void compose_inputs(std::vector<agent_as_read>& agents) {
  auto role_of = [&](const std::string& dependency) {
    auto found = std::find_if(agents.begin(), agents.end(),
                              [&](const agent_as_read& a) { return a.spec.name == dependency; });
    if (found != agents.end() && found->kind == agent_kind::model && found->model_profile) {
      return role_text(*found->model_profile);
    }
    return role_text(dependency);
  };
  for (auto& a : agents) {
    if (a.spec.depends_on.empty()) {
      continue;
    }
    a.spec.on_dependency_failure = definition::dependency_failure_policy::run;
    if (a.kind == agent_kind::script || a.kind == agent_kind::dispatch) {
      continue; // a script reads its dependencies as JSON (script_input = json)
    }
    std::vector<dependency_block> blocks;
    for (const auto& d : a.spec.depends_on) {
      blocks.push_back({d, role_of(d)});
    }
    a.spec.prompt = composed_prompt(blocks, a.dependencies_only);
  }
}

// llm-orc's `when` may read any agent of the ensemble; tutti decides a condition once the
// agents it reads have finished, which their being dependencies ensures. Such an agent becomes
// a dependency for its order only: it is in no prompt (composed before, or {input} alone).
void order_conditions(std::vector<agent_as_read>& agents) {
  for (auto& a : agents) {
    if (!a.spec.when) {
      continue;
    }
    auto parsed = definition::condition::parse(*a.spec.when);
    const auto* c = std::get_if<definition::condition>(&parsed);
    if (c == nullptr) {
      continue; // said by check_agents, at the agent's when
    }
    auto& deps = a.spec.depends_on;
    for (const auto& name : c->agents()) {
      const bool is_agent = std::any_of(agents.begin(), agents.end(), [&](const auto& other) {
        return other.spec.name == name && &other != &a;
      });
      if (is_agent && std::find(deps.begin(), deps.end(), name) == deps.end()) {
        deps.push_back(name);
        a.spec.on_dependency_failure = definition::dependency_failure_policy::run;
        if (!a.spec.prompt && a.kind != agent_kind::script) {
          a.spec.prompt = "{input}";
        }
      }
    }
  }
}

void note_tooling_keys(yaml_mapping& root, std::vector<std::string>* notes) {
  for (auto key : tooling_keys) {
    if (!root.has(key)) {
      continue;
    }
    root.accept(key);
    if (notes != nullptr) {
      auto at = root.location_of(key);
      notes->push_back(root.file() + ":" + std::to_string(at.line) + ": " + std::string{key} +
                       ": read by llm-orc's own tooling; tutti ignores it");
    }
  }
}

} // namespace

definition::outcome<definition::ensemble> read_llm_orc_ensemble(std::string_view text,
                                                                const std::string& file,
                                                                std::vector<std::string>* notes) {
  auto document = parse_yaml(text, file);
  if (!document) {
    return document.problems();
  }
  if (!document->IsMap()) {
    return diagnostics{{definition_errc::wrong_type, location_in(file, document->Mark()), "",
                        "an llm-orc ensemble is a mapping with name, description and agents, not " +
                            std::string{kind_name(*document)}}};
  }
  diagnostics out;
  yaml_mapping root{*document, file, "", out};
  definition::ensemble e;
  e.file = file;
  e.name = root.required_text("name").value_or("");
  e.description = root.text("description").value_or("");
  // llm-orc reads `default_task or task`: an empty default_task gives way to task.
  auto default_task = root.text("default_task");
  auto task = root.text("task");
  e.default_input = default_task && !default_task->empty() ? *default_task : task.value_or("");
  note_tooling_keys(root, notes);
  std::vector<agent_as_read> agents;
  if (auto list = root.sequence("agents")) {
    const auto ctx = context_for(file);
    std::size_t index = 0;
    for (const auto& item : *list) {
      if (!item.IsMap()) {
        out.push_back({definition_errc::wrong_type, location_in(file, item.Mark()),
                       "agents[" + std::to_string(index) + "]",
                       "expected an agent's mapping, got " + std::string{kind_name(item)}});
      } else {
        agents.push_back(read_agent(item, index, ctx, out));
      }
      ++index;
    }
  } else if (!root.has("agents")) {
    root.report(definition_errc::missing_field, "agents",
                "an llm-orc ensemble needs a list of agents");
  }
  root.report_unknown_keys(" at the top of an llm-orc ensemble");
  compose_inputs(agents);
  order_conditions(agents);
  for (auto& a : agents) {
    e.agents.push_back(std::move(a.spec));
  }
  auto across = definition::check_agents(e.agents);
  out.insert(out.end(), across.begin(), across.end());
  if (!out.empty()) {
    return out;
  }
  return e;
}

definition::outcome<definition::ensemble> load_llm_orc_ensemble(const std::filesystem::path& file,
                                                                std::size_t max_bytes,
                                                                std::vector<std::string>* notes) {
  auto text = definition::read_source_text(file, max_bytes);
  if (!text) {
    return text.problems();
  }
  return read_llm_orc_ensemble(*text, file.string(), notes);
}

bool is_llm_orc_file(const std::filesystem::path& file) {
  auto ext = file.extension();
  return ext == ".yaml" || ext == ".yml";
}

} // namespace tutti::llm_orc
