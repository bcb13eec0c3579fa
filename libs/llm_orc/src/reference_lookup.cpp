#include "reference_lookup.hpp"

#include <algorithm>
#include <array>
#include <system_error>

namespace tutti::llm_orc {
namespace {

bool ends_with(const std::string& text, std::string_view suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool is_file(const std::filesystem::path& p) {
  std::error_code ec;
  return std::filesystem::is_regular_file(p, ec);
}

// The spellings llm-orc tries in each folder, in order, each once.
std::vector<std::string> spellings(const std::string& reference) {
  std::vector<std::string> tried{reference};
  auto underscored = reference;
  std::replace(underscored.begin(), underscored.end(), '-', '_');
  tried.push_back(underscored);
  if (reference.rfind("scripts/", 0) == 0) {
    tried.push_back(reference.substr(8));
  }
  tried.erase(std::unique(tried.begin(), tried.end()), tried.end());
  return tried;
}

script_command command_for(const std::filesystem::path& file) {
  return {{interpreter_for(file), file.lexically_normal().string()}};
}

} // namespace

bool looks_like_script_path(const std::string& reference) {
  if (reference.find_first_of("/\\") != std::string::npos) {
    return true;
  }
  constexpr std::array<std::string_view, 5> extensions{".py", ".sh", ".bash", ".js", ".rb"};
  return std::any_of(extensions.begin(), extensions.end(),
                     [&](std::string_view ext) { return ends_with(reference, ext); });
}

std::string interpreter_for(const std::filesystem::path& script) {
  auto ext = script.extension().string();
  if (ext == ".py" || ext == ".python") {
    return "python3";
  }
  if (ext == ".js" || ext == ".javascript") {
    return "node";
  }
  if (ext == ".rb" || ext == ".ruby") {
    return "ruby";
  }
  return "bash"; // .sh, .bash and anything else
}

std::variant<script_command, script_not_found>
resolve_script(const std::string& reference, const std::filesystem::path& project) {
  if (!looks_like_script_path(reference)) {
    return script_command{{"bash", "-c", reference}};
  }
  const std::filesystem::path as_written{reference};
  if (as_written.is_absolute()) {
    if (is_file(as_written)) {
      return command_for(as_written);
    }
    return script_not_found{reference + " does not exist"};
  }
  const std::array<std::filesystem::path, 3> folders{project / ".llm-orc" / "scripts",
                                                     project / ".llm-orc", project};
  for (const auto& folder : folders) {
    for (const auto& spelling : spellings(reference)) {
      if (auto candidate = folder / spelling; is_file(candidate)) {
        return command_for(candidate);
      }
    }
  }
  std::string searched;
  for (const auto& folder : folders) {
    searched += (searched.empty() ? "" : ", ") + folder.lexically_normal().string();
  }
  return script_not_found{"cannot find script '" + reference + "' in " + searched +
                          " (as written, with '-' as '_', and without a leading scripts/)"};
}

std::string resolve_ensemble_reference(const std::string& name, const std::filesystem::path& folder,
                                       const std::filesystem::path& local_ensembles) {
  for (const auto* ext : {".yaml", ".yml"}) {
    if (is_file(folder / (name + ext))) {
      return name + ext;
    }
    if (!local_ensembles.empty()) {
      if (auto in_local = local_ensembles / (name + ext); is_file(in_local)) {
        return in_local.lexically_normal().string();
      }
    }
  }
  return name;
}

} // namespace tutti::llm_orc
