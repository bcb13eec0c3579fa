// What llm-orc gives an agent that has dependencies, as a tutti prompt template: the
// dependencies' outputs in blocks headed by their names and roles, inside llm-orc's wrapper
// text unless the agent's input_scope is "dependencies".
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tutti::llm_orc {

/// llm-orc's role text for a dependency: its model_profile, else its name, with '-' made a
/// space and Python's str.title() applied ("fast-local" -> "Fast Local", "gpt-4o" -> "Gpt 4O").
std::string role_text(std::string_view profile_or_name);

/// One dependency as llm-orc lists it, with its name and role.
struct dependency_block {
  std::string name;
  std::string role;
};

/// The template of an agent's input: "Please respond to the following input, ... {input} ...
/// Agent NAME (Role):\n{agents.NAME} ...", or with `dependencies_only` the blocks alone.
std::string composed_prompt(const std::vector<dependency_block>& dependencies,
                            bool dependencies_only);

} // namespace tutti::llm_orc
