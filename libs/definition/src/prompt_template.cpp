#include <tutti/definition/prompt_template.hpp>

namespace tutti::definition {
namespace {

constexpr std::string_view input_placeholder = "{input}";
constexpr std::string_view agents_prefix = "{agents.";

// If `text` starts with {agents.NAME}, the NAME; agent names never contain braces.
std::optional<std::string_view> agent_reference_at(std::string_view text) {
  if (text.substr(0, agents_prefix.size()) != agents_prefix) {
    return std::nullopt;
  }
  auto close = text.find('}', agents_prefix.size());
  if (close == std::string_view::npos || close == agents_prefix.size()) {
    return std::nullopt;
  }
  return text.substr(agents_prefix.size(), close - agents_prefix.size());
}

} // namespace

std::vector<std::string> referenced_agents(std::string_view prompt_template) {
  std::vector<std::string> names;
  for (auto at = prompt_template.find('{'); at != std::string_view::npos;
       at = prompt_template.find('{', at + 1)) {
    if (auto name = agent_reference_at(prompt_template.substr(at))) {
      names.emplace_back(*name);
    }
  }
  return names;
}

std::string render_prompt(const std::optional<std::string>& prompt_template, std::string_view input,
                          const std::vector<std::string>& dependencies,
                          const std::map<std::string, std::string>& outputs) {
  if (!prompt_template) {
    std::string prompt{input};
    for (const auto& name : dependencies) {
      auto output = outputs.find(name);
      prompt += "\n\n## " + name + "\n";
      if (output != outputs.end()) {
        prompt += output->second;
      }
    }
    return prompt;
  }
  std::string_view text = *prompt_template;
  std::string prompt;
  prompt.reserve(text.size() + input.size());
  std::size_t at = 0;
  while (at < text.size()) {
    auto open = text.find('{', at);
    prompt += text.substr(at, open - at);
    if (open == std::string_view::npos) {
      break;
    }
    auto rest = text.substr(open);
    if (rest.substr(0, input_placeholder.size()) == input_placeholder) {
      prompt += input;
      at = open + input_placeholder.size();
    } else if (auto name = agent_reference_at(rest);
               name && outputs.count(std::string{*name}) != 0) {
      prompt += outputs.at(std::string{*name});
      at = open + agents_prefix.size() + name->size() + 1;
    } else {
      prompt += '{';
      at = open + 1;
    }
  }
  return prompt;
}

} // namespace tutti::definition
