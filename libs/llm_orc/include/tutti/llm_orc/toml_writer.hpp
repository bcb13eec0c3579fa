// An ensemble (and the profiles it uses) written as tutti TOML: what `tutti convert` prints.
#pragma once

#include <tutti/definition/ensemble.hpp>
#include <tutti/definition/profile.hpp>

#include <map>
#include <string>

namespace tutti::llm_orc {

/// The ensemble as a tutti ensemble file: name, description and default_input, then one
/// [[agents]] table per agent with every key that is set. parse_ensemble reads it back into
/// the same ensemble (for the keys tutti's TOML reader knows; parameters, input_key and
/// output_format are written for the reader that will).
std::string to_toml(const definition::ensemble& e);

/// The profiles among `all` that `e`'s agents name, directly or as fallbacks.
std::map<std::string, definition::profile>
profiles_used_by(const definition::ensemble& e,
                 const std::map<std::string, definition::profile>& all);

/// One [profiles.NAME] table per profile, for the [profiles] of a tutti.toml.
std::string profiles_toml(const std::map<std::string, definition::profile>& used);

} // namespace tutti::llm_orc
