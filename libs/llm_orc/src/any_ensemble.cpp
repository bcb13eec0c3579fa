#include <tutti/definition/ensemble_parser.hpp>
#include <tutti/llm_orc/any_ensemble.hpp>
#include <tutti/llm_orc/ensemble_reader.hpp>
#include <tutti/llm_orc/profiles.hpp>

namespace tutti::llm_orc {

definition::outcome<definition::ensemble> load_any_ensemble(const std::filesystem::path& file,
                                                            std::size_t max_bytes,
                                                            std::vector<std::string>* notes) {
  return is_llm_orc_file(file) ? load_llm_orc_ensemble(file, max_bytes, notes)
                               : definition::load_ensemble(file, max_bytes);
}

definition::outcome<definition::config>
with_llm_orc_profiles(definition::config c, const std::filesystem::path& working_dir,
                      const definition::environment& env) {
  auto profiles = load_llm_orc_profiles(working_dir, env);
  if (!profiles) {
    return profiles.problems();
  }
  for (auto& [name, profile] : *profiles) {
    c.profiles.insert_or_assign(name, std::move(profile));
  }
  return c;
}

} // namespace tutti::llm_orc
