#include <tutti/definition/environment.hpp>

#include <cstdlib>

namespace tutti::definition {

environment process_environment() {
  return [](const std::string& name) -> std::optional<std::string> {
    if (const char* value = std::getenv(name.c_str())) {
      return std::string{value};
    }
    return std::nullopt;
  };
}

environment fixed_environment(std::map<std::string, std::string> variables) {
  return [vars = std::move(variables)](const std::string& name) -> std::optional<std::string> {
    auto i = vars.find(name);
    if (i == vars.end()) {
      return std::nullopt;
    }
    return i->second;
  };
}

namespace {

// An XDG base directory: the variable when it holds an absolute path, else $HOME/fallback.
std::optional<std::filesystem::path> xdg_home(const environment& env, const std::string& variable,
                                              const std::filesystem::path& fallback) {
  if (auto xdg = env(variable); xdg && std::filesystem::path{*xdg}.is_absolute()) {
    return std::filesystem::path{*xdg};
  }
  if (auto home = env("HOME"); home && !home->empty()) {
    return std::filesystem::path{*home} / fallback;
  }
  return std::nullopt;
}

} // namespace

std::optional<std::filesystem::path> config_home(const environment& env) {
  return xdg_home(env, "XDG_CONFIG_HOME", ".config");
}

std::optional<std::filesystem::path> state_home(const environment& env) {
  return xdg_home(env, "XDG_STATE_HOME", ".local/state");
}

} // namespace tutti::definition
