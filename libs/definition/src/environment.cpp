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

std::optional<std::filesystem::path> config_home(const environment& env) {
  if (auto xdg = env("XDG_CONFIG_HOME"); xdg && std::filesystem::path{*xdg}.is_absolute()) {
    return std::filesystem::path{*xdg};
  }
  if (auto home = env("HOME"); home && !home->empty()) {
    return std::filesystem::path{*home} / ".config";
  }
  return std::nullopt;
}

} // namespace tutti::definition
