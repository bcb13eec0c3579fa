// Reading and checking an ensemble file on its own (references to the configuration are
// checked later, by resolve()).
#pragma once

#include <tutti/definition/ensemble.hpp>
#include <tutti/definition/outcome.hpp>
#include <tutti/definition/source_text.hpp>

#include <filesystem>
#include <string_view>

namespace tutti::definition {

/// Parses and checks ensemble text: syntax, types, ranges, unknown keys, duplicate agents,
/// unknown dependencies, cycles and prompt references. `file` names it in diagnostics.
outcome<ensemble> parse_ensemble(std::string_view text, const std::string& file);

/// An ensemble as far as its text could be read (agents with invalid names or dependencies
/// included), and every problem found; none when parse_ensemble would succeed.
struct ensemble_as_read {
  ensemble as_read;
  diagnostics problems;
};
ensemble_as_read read_ensemble(std::string_view text, const std::string& file);

/// The checks that span agents: duplicate names, unknown dependencies, prompts that use
/// agents they do not depend on, and cycles.
diagnostics check_agents(const std::vector<agent_spec>& agents);

/// parse_ensemble over a file's contents; a missing or unreadable file, or one over `max_bytes`,
/// is a diagnostic too.
outcome<ensemble> load_ensemble(const std::filesystem::path& file,
                                std::size_t max_bytes = mib_bytes(default_max_definition_mib));

} // namespace tutti::definition
