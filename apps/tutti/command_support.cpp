#include "command_support.hpp"

#include <tutti/definition/config_loader.hpp>
#include <tutti/definition/ensemble_catalog.hpp>
#include <tutti/definition/ensemble_parser.hpp>
#include <tutti/definition/ensemble_resolver.hpp>
#include <tutti/definition/run_overrides.hpp>
#include <tutti/definition/source_text.hpp>
#include <tutti/llm_orc/any_ensemble.hpp>
#include <tutti/llm_orc/ensemble_reader.hpp>
#include <tutti/resources/group_directory.hpp>

#include <algorithm>
#include <ostream>
#include <set>
#include <tuple>

namespace tutti::cli {
namespace {

// A file's own problems, and those of its agents' references to the configuration (unknown
// profiles, backends): every problem at once, in the order of the file.
definition::diagnostics with_reference_problems(definition::diagnostics problems,
                                                const std::filesystem::path& file,
                                                const definition::config& config) {
  auto text =
      definition::read_source_text(file, definition::mib_bytes(config.limits.max_definition_mib));
  if (!text) {
    return problems;
  }
  auto read = definition::read_ensemble(*text, file.string());
  std::set<std::string> said;
  for (const auto& p : problems) {
    said.insert(definition::to_string(p));
  }
  for (auto& p : definition::reference_problems(read.as_read, config)) {
    if (said.insert(definition::to_string(p)).second) {
      problems.push_back(std::move(p));
    }
  }
  std::stable_sort(problems.begin(), problems.end(), [](const auto& a, const auto& b) {
    return std::tie(a.where.line, a.where.column) < std::tie(b.where.line, b.where.column);
  });
  return problems;
}

} // namespace

void print_problems(command_state& state, const definition::diagnostics& problems) {
  if (state.json_errors) {
    state.problems.insert(state.problems.end(), problems.begin(), problems.end());
    return;
  }
  for (const auto& p : problems) {
    state.ctx.err << "error: " << definition::to_string(p) << '\n';
  }
}

namespace {

// The configuration that --config (or the search) names, as found.
definition::outcome<definition::config> configuration(const command_state& state) {
  std::optional<std::filesystem::path> explicit_path;
  if (state.config_path) {
    explicit_path = *state.config_path;
  }
  return definition::load_config(explicit_path, state.ctx.working_dir, state.ctx.env);
}

} // namespace

std::optional<definition::config> load_config_or_report(command_state& state) {
  auto config = configuration(state);
  if (!config) {
    print_problems(state, config.problems());
    state.exit_code = exit_code::invalid_input;
    return std::nullopt;
  }
  auto loaded = std::move(config).value();
  if (state.max_definition_mib) {
    loaded.limits.max_definition_mib = *state.max_definition_mib;
  }
  return loaded;
}

std::size_t definition_limit_bytes(const command_state& state) {
  if (state.max_definition_mib) {
    return definition::mib_bytes(*state.max_definition_mib);
  }
  auto config = configuration(state);
  return definition::mib_bytes(config ? config->limits.max_definition_mib
                                      : definition::default_max_definition_mib);
}

std::optional<definition::resolved_ensemble>
load_ensemble_or_report(command_state& state, const std::string& name_or_path,
                        const definition::config& config,
                        const definition::run_overrides& overrides) {
  auto fail = [&](const definition::diagnostics& problems) {
    print_problems(state, problems);
    state.exit_code = exit_code::invalid_input;
    return std::nullopt;
  };
  auto dirs = definition::ensemble_search_dirs(state.ctx.working_dir, state.ctx.env);
  const auto max_bytes = definition::mib_bytes(config.limits.max_definition_mib);
  auto path = definition::find_ensemble(name_or_path, state.ctx.working_dir, dirs, max_bytes);
  if (!path) {
    return fail(path.problems());
  }
  // An llm-orc file's agents name llm-orc's profiles, which it reads over the configuration's.
  const bool is_llm_orc = llm_orc::is_llm_orc_file(*path);
  std::optional<definition::config> with_profiles;
  if (is_llm_orc) {
    auto merged = llm_orc::with_llm_orc_profiles(config, state.ctx.working_dir, state.ctx.env);
    if (!merged) {
      return fail(merged.problems());
    }
    with_profiles = std::move(merged).value();
  }
  const auto& used = with_profiles ? *with_profiles : config;
  std::vector<std::string> notes;
  const auto read = [&](const std::filesystem::path& file, std::size_t bytes) {
    return llm_orc::load_any_ensemble(file, bytes, &notes);
  };
  auto ensemble = read(*path, max_bytes);
  if (!ensemble) {
    return fail(is_llm_orc ? ensemble.problems()
                           : with_reference_problems(ensemble.problems(), *path, config));
  }
  auto overridden = definition::apply_overrides(std::move(*ensemble), overrides);
  if (!overridden) {
    return fail(overridden.problems());
  }
  definition::ensemble_resolver resolver{used, dirs, max_bytes, read};
  auto resolved = resolver.resolve(*overridden);
  for (const auto& note : notes) {
    state.ctx.err << "note: " << note << '\n';
  }
  if (!resolved) {
    return fail(resolved.problems());
  }
  resources::group_directory directory;
  if (auto conflicts = resources::conflicting_limits(*resolved, directory); !conflicts.empty()) {
    return fail(conflicts);
  }
  return std::move(resolved).value();
}

void print_spellings(std::ostream& out, const std::string& group,
                     const std::vector<std::string>& spellings) {
  if (spellings.empty()) {
    return;
  }
  out << "  group " << group << " is also reached as";
  for (std::size_t i = 0; i < spellings.size(); ++i) {
    out << (i == 0 ? " " : ", ") << spellings[i];
  }
  out << '\n';
}

} // namespace tutti::cli
