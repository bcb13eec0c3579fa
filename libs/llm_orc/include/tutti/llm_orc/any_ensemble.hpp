// Ensemble files of either format, as the commands read them: llm-orc's YAML (with llm-orc's
// model profiles) or tutti's TOML.
#pragma once

#include <tutti/definition/config.hpp>
#include <tutti/definition/ensemble.hpp>
#include <tutti/definition/environment.hpp>
#include <tutti/definition/outcome.hpp>
#include <tutti/definition/source_text.hpp>

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace tutti::llm_orc {

/// An ensemble file read by its name: .yaml and .yml as llm-orc's (its notes into `notes`),
/// anything else as tutti's TOML.
definition::outcome<definition::ensemble> load_any_ensemble(
    const std::filesystem::path& file,
    std::size_t max_bytes = definition::mib_bytes(definition::default_max_definition_mib),
    std::vector<std::string>* notes = nullptr);

/// `c` with the llm-orc profiles that `working_dir` sees (load_llm_orc_profiles) over its own:
/// what an llm-orc ensemble's agents name.
definition::outcome<definition::config>
with_llm_orc_profiles(definition::config c, const std::filesystem::path& working_dir,
                      const definition::environment& env);

} // namespace tutti::llm_orc
