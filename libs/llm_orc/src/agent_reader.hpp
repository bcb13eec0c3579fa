// One agent of an llm-orc ensemble, read into a tutti agent_spec.
#pragma once

#include "yaml_mapping.hpp"

#include <tutti/definition/agent_spec.hpp>

#include <filesystem>
#include <optional>
#include <string>

namespace tutti::llm_orc {

/// What an llm-orc agent runs, decided as llm-orc does: the first of script, loop, dispatch,
/// ensemble present, else a model.
enum class agent_kind { model, script, loop, dispatch, ensemble };

/// Where the names in an ensemble file are looked up.
struct reading_context {
  std::string file;                      // as diagnostics name it
  std::filesystem::path folder;          // the file's folder, absolute
  std::filesystem::path project;         // scripts are searched from here
  std::filesystem::path local_ensembles; // <.llm-orc>/ensembles, empty when there is none
};

/// An agent as read, with what composing its dependants' input needs.
struct agent_as_read {
  definition::agent_spec spec;
  agent_kind kind = agent_kind::model;
  std::optional<std::string> model_profile; // its role in its dependants' input
  bool dependencies_only = false;           // input_scope: dependencies
};

/// Reads the agent at `index` of the agents list; its problems go to `out`.
agent_as_read read_agent(const YAML::Node& node, std::size_t index, const reading_context& ctx,
                         definition::diagnostics& out);

/// A loop's until or carry as tutti reads them: llm-orc roots `${a.b}` at the body's output,
/// tutti names that output `output`, so every `${path}` becomes `${output.path}`.
std::string rooted_at_output(std::string_view expression);

} // namespace tutti::llm_orc
