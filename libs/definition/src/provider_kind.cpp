#include <tutti/definition/nearest_name.hpp>
#include <tutti/definition/provider_kind.hpp>

#include <vector>

namespace tutti::definition {

std::string_view to_string(provider_kind p) {
  switch (p) {
  case provider_kind::openai:
    return "openai";
  case provider_kind::anthropic:
    return "anthropic";
  case provider_kind::ollama:
    return "ollama";
  case provider_kind::lmstudio:
    return "lmstudio";
  case provider_kind::mock:
    return "mock";
  case provider_kind::process:
    return "process";
  }
  return "unknown";
}

std::optional<provider_kind> parse_provider_kind(std::string_view name) {
  for (auto p : all_provider_kinds) {
    if (to_string(p) == name) {
      return p;
    }
  }
  return std::nullopt;
}

std::string unknown_provider_message(std::string_view name) {
  std::vector<std::string> names;
  std::string listed;
  for (auto p : all_provider_kinds) {
    names.emplace_back(to_string(p));
    listed += (listed.empty() ? "" : ", ") + names.back();
  }
  return "'" + std::string{name} + "' is not one of " + listed + did_you_mean(name, names);
}

} // namespace tutti::definition
