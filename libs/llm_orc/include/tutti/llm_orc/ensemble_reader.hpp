// llm-orc's ensemble YAML read into a tutti ensemble: its agents, how each composes its
// dependencies' outputs into its input (as prompts), and the scripts and ensembles it names.
#pragma once

#include <tutti/definition/ensemble.hpp>
#include <tutti/definition/outcome.hpp>
#include <tutti/definition/source_text.hpp>

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace tutti::llm_orc {

/// Reads an llm-orc ensemble. `file` names it in diagnostics and places it: scripts and
/// nested ensembles are looked for from its folder and the .llm-orc folder above it. Keys that
/// only llm-orc's tooling reads (validation, test_mode, ...) are skipped, each with a note in
/// `notes` ("FILE:LINE: validation: ..."); every other problem (a key llm-orc or tutti does not
/// know, a provider, option or agent kind tutti cannot run, a script not found, the checks of
/// definition::check_agents) is a diagnostic at its line and column.
definition::outcome<definition::ensemble>
read_llm_orc_ensemble(std::string_view text, const std::string& file,
                      std::vector<std::string>* notes = nullptr);

/// read_llm_orc_ensemble over a file's contents; a missing, unreadable or too large file is a
/// diagnostic too.
definition::outcome<definition::ensemble> load_llm_orc_ensemble(
    const std::filesystem::path& file,
    std::size_t max_bytes = definition::mib_bytes(definition::default_max_definition_mib),
    std::vector<std::string>* notes = nullptr);

/// Whether `file` is an llm-orc ensemble by its name: .yaml or .yml.
bool is_llm_orc_file(const std::filesystem::path& file);

} // namespace tutti::llm_orc
