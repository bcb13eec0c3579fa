#include "llm_orc_dirs.hpp"
#include "model_keys.hpp"
#include "yaml_mapping.hpp"

#include <tutti/definition/nearest_name.hpp>
#include <tutti/definition/source_text.hpp>
#include <tutti/llm_orc/profiles.hpp>

#include <algorithm>
#include <optional>
#include <vector>

namespace tutti::llm_orc {
namespace {

using definition::definition_errc;
using definition::diagnostics;

// A profile as read, before its fallback chain is followed.
struct profile_as_read {
  definition::profile profile;
  std::optional<std::string> fallback; // fallback_model_profile
  definition::diagnostic fallback_at;  // where it is, for problems of the chain
};

using profile_table = std::map<std::string, profile_as_read>;

profile_as_read read_profile(yaml_mapping& reader, std::string name) {
  profile_as_read read;
  read.profile.name = std::move(name);
  read.profile.where = reader.location();
  auto& s = read.profile.settings;
  read_target(reader, s, provider_rule::default_ollama, true);
  s.system_prompt = reader.text("system_prompt");
  s.timeout = reader.seconds("timeout_seconds");
  read_options(reader, s);
  read.fallback = reader.text("fallback_model_profile");
  read.fallback_at = {definition_errc::unknown_profile,
                      reader.value_location("fallback_model_profile"),
                      reader.field("fallback_model_profile"), ""};
  reader.accept("cost_per_token"); // shown by llm-orc's listings only
  for (const auto* key : {"temperature", "max_tokens"}) {
    if (reader.has(key)) {
      reader.accept(key);
      reader.report(definition_errc::unknown_key, key,
                    "llm-orc does not apply a profile's " + std::string{key} +
                        " (only an agent's); set it on the agents, or in the profile's options "
                        "as " +
                        (std::string{key} == "temperature" ? "temperature" : "num_predict"));
    }
  }
  reader.report_unknown_keys(" in an llm-orc profile");
  return read;
}

std::optional<YAML::Node> read_yaml_file(const std::filesystem::path& file, diagnostics& out) {
  auto text = definition::read_source_text(file);
  if (!text) {
    out.insert(out.end(), text.problems().begin(), text.problems().end());
    return std::nullopt;
  }
  auto document = parse_yaml(*text, file.string());
  if (!document) {
    out.insert(out.end(), document.problems().begin(), document.problems().end());
    return std::nullopt;
  }
  return *document;
}

// config.yaml's model_profiles: a mapping of name to profile. Its other keys are llm-orc's.
void read_config_profiles(const std::filesystem::path& file, profile_table& into,
                          diagnostics& out) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) {
    return;
  }
  auto document = read_yaml_file(file, out);
  if (!document || !document->IsMap()) {
    return;
  }
  yaml_mapping root{*document, file.string(), "", out};
  auto profiles = root.mapping("model_profiles");
  if (!profiles) {
    return;
  }
  for (const auto& entry : *profiles) {
    auto name = entry.first.Scalar();
    auto field = "model_profiles." + name;
    if (!entry.second.IsMap()) {
      out.push_back({definition_errc::wrong_type, location_in(file.string(), entry.second.Mark()),
                     field,
                     "expected a mapping of the profile's keys, got " +
                         std::string{kind_name(entry.second)}});
      continue;
    }
    yaml_mapping reader{entry.second, file.string(), field, out};
    auto read = read_profile(reader, name);
    read.profile.where = location_in(file.string(), entry.first.Mark());
    into.insert_or_assign(name, std::move(read));
  }
}

// profiles/*.yaml, sorted, *.local.yaml last: one profile per file, named by its name key.
void read_profile_files(const std::filesystem::path& dir, profile_table& into, diagnostics& out) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return;
  }
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator{dir, ec}) {
    if (entry.path().extension() == ".yaml" && entry.is_regular_file(ec)) {
      files.push_back(entry.path());
    }
  }
  auto is_local = [](const std::filesystem::path& p) {
    return p.filename().string().ends_with(".local.yaml");
  };
  std::sort(files.begin(), files.end(), [&](const auto& a, const auto& b) {
    return std::pair{is_local(a), a.filename()} < std::pair{is_local(b), b.filename()};
  });
  for (const auto& file : files) {
    auto document = read_yaml_file(file, out);
    // llm-orc passes over a file without a top-level name, such as a model_profiles map (its
    // own repository has one): tutti reads that map, as config.yaml's.
    if (document && document->IsMap() && !(*document)["name"] && (*document)["model_profiles"]) {
      read_config_profiles(file, into, out);
      continue;
    }
    if (!document || !document->IsMap() || !(*document)["name"] ||
        !(*document)["name"].IsScalar()) {
      continue;
    }
    auto name = (*document)["name"].Scalar();
    yaml_mapping reader{*document, file.string(), "", out};
    reader.accept("name");
    into.insert_or_assign(name, read_profile(reader, name));
  }
}

void read_dir(const std::filesystem::path& dir, profile_table& into, diagnostics& out) {
  read_config_profiles(dir / "config.yaml", into, out);
  read_profile_files(dir / "profiles", into, out);
}

std::string chain_text(const std::vector<std::string>& chain) {
  std::string text;
  for (const auto& name : chain) {
    text += (text.empty() ? "" : " -> ") + name;
  }
  return text;
}

// Follows a profile's fallback_model_profile chain into its fallback list. A name that is no
// profile is reported by the profile that names it; a cycle by its first member in name order.
void follow_fallbacks(const std::string& name, profile_table& profiles, diagnostics& out) {
  auto& start = profiles.at(name);
  if (!start.fallback) {
    return;
  }
  std::vector<std::string> chain{name};
  std::vector<std::string> names;
  for (const auto& [n, p] : profiles) {
    names.push_back(n);
  }
  const profile_as_read* at = &start;
  while (at->fallback) {
    const auto& next = *at->fallback;
    auto seen = std::find(chain.begin(), chain.end(), next);
    if (seen != chain.end()) {
      // Every member of a cycle would report it: only its first in name order does.
      if (seen == chain.begin() && name == *std::min_element(chain.begin(), chain.end())) {
        chain.push_back(next);
        auto problem = start.fallback_at;
        problem.code = definition_errc::dependency_cycle;
        problem.message =
            "the fallback_model_profile chain goes round in a cycle: " + chain_text(chain);
        out.push_back(std::move(problem));
      }
      return;
    }
    auto found = profiles.find(next);
    if (found == profiles.end()) {
      if (at == &start) {
        auto problem = start.fallback_at;
        problem.message =
            "'" + next + "' is no llm-orc profile" + definition::did_you_mean(next, names);
        out.push_back(std::move(problem));
      }
      return;
    }
    chain.push_back(next);
    at = &found->second;
  }
  start.profile.settings.fallback = std::vector<std::string>(chain.begin() + 1, chain.end());
}

} // namespace

definition::outcome<std::map<std::string, definition::profile>>
load_llm_orc_profiles(const std::filesystem::path& working_dir,
                      const definition::environment& env) {
  diagnostics out;
  profile_table profiles;
  if (auto global = global_config_dir(env)) {
    read_dir(*global, profiles, out);
  }
  if (auto local =
          local_config_dir(working_dir.empty() ? std::filesystem::current_path() : working_dir)) {
    read_dir(*local, profiles, out);
  }
  for (const auto& [name, p] : profiles) {
    follow_fallbacks(name, profiles, out);
  }
  if (!out.empty()) {
    return out;
  }
  std::map<std::string, definition::profile> result;
  for (auto& [name, p] : profiles) {
    result.emplace(name, std::move(p.profile));
  }
  return result;
}

} // namespace tutti::llm_orc
