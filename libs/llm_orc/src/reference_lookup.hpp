// How llm-orc finds what an agent names: a script's file (or inline shell), and the ensemble
// an `ensemble:` agent or a loop's body runs.
#pragma once

#include <filesystem>
#include <string>
#include <variant>
#include <vector>

namespace tutti::llm_orc {

/// What `script:` runs: a program and its arguments, or why it cannot be found.
struct script_command {
  std::vector<std::string> command; // interpreter, absolute path; or bash -c CONTENT
};
struct script_not_found {
  std::string message; // lists the folders searched
};

/// Whether llm-orc reads a script reference as a path: it has a '/' or '\', or ends in a
/// script extension. Anything else is inline shell.
bool looks_like_script_path(const std::string& reference);

/// The interpreter llm-orc starts a script file with, by its extension (bash for the rest).
std::string interpreter_for(const std::filesystem::path& script);

/// A script reference resolved as llm-orc does: an absolute path must exist; a relative path
/// is looked for in `project`/.llm-orc/scripts, `project`/.llm-orc and `project`, in each as
/// written, with '-' made '_', and without a leading "scripts/"; other text is inline shell.
std::variant<script_command, script_not_found> resolve_script(const std::string& reference,
                                                              const std::filesystem::path& project);

/// The file an `ensemble: NAME` (or a loop's body) names: NAME.yaml in `folder` (the naming
/// file's) or in `local_ensembles` (the .llm-orc/ensembles folder), else NAME.yml there; as
/// a path relative to `folder` when it is in it, else absolute. NAME itself when neither
/// exists, for tutti to look up by name.
std::string resolve_ensemble_reference(const std::string& name, const std::filesystem::path& folder,
                                       const std::filesystem::path& local_ensembles);

} // namespace tutti::llm_orc
