#include <tutti/definition/prompt_template.hpp>

#include <algorithm>
#include <cctype>

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

std::vector<std::string> placeholder_like_words(std::string_view prompt_template) {
  std::vector<std::string> words;
  for (auto at = prompt_template.find('{'); at != std::string_view::npos;
       at = prompt_template.find('{', at + 1)) {
    const auto close = prompt_template.find('}', at);
    if (close == std::string_view::npos) {
      break;
    }
    const auto word = prompt_template.substr(at + 1, close - at - 1);
    const bool looks_like_one = !word.empty() &&
                                std::isalpha(static_cast<unsigned char>(word.front())) != 0 &&
                                std::all_of(word.begin(), word.end(), [](char c) {
                                  return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
                                         c == '_' || c == '-' || c == '.';
                                });
    // ${name} is a shell's or a JavaScript template's, written in a prompt about code.
    const bool is_dollar_brace = at > 0 && prompt_template[at - 1] == '$';
    if (looks_like_one && !is_dollar_brace && word != "input" &&
        !agent_reference_at(prompt_template.substr(at))) {
      words.emplace_back(word);
    }
  }
  return words;
}

namespace {

// Walks a prompt as it will be sent: `piece` receives each part in order. One walk serves both
// measuring and building, so the two cannot disagree.
template <typename Piece>
void walk_prompt(const std::optional<std::string>& prompt_template, std::string_view input,
                 const std::vector<std::string>& dependencies,
                 const std::map<std::string, std::string>& outputs, Piece&& piece) {
  if (!prompt_template) {
    piece(input);
    for (const auto& name : dependencies) {
      piece("\n\n## ");
      piece(name);
      piece("\n");
      if (auto output = outputs.find(name); output != outputs.end()) {
        piece(output->second);
      }
    }
    return;
  }
  std::string_view text = *prompt_template;
  std::size_t at = 0;
  while (at < text.size()) {
    auto open = text.find('{', at);
    piece(text.substr(at, open - at));
    if (open == std::string_view::npos) {
      break;
    }
    auto rest = text.substr(open);
    if (rest.substr(0, input_placeholder.size()) == input_placeholder) {
      piece(input);
      at = open + input_placeholder.size();
    } else if (auto name = agent_reference_at(rest);
               name && outputs.count(std::string{*name}) != 0) {
      piece(outputs.at(std::string{*name}));
      at = open + agents_prefix.size() + name->size() + 1;
    } else {
      piece("{");
      at = open + 1;
    }
  }
}

} // namespace

std::uint64_t rendered_prompt_size(const std::optional<std::string>& prompt_template,
                                   std::string_view input,
                                   const std::vector<std::string>& dependencies,
                                   const std::map<std::string, std::string>& outputs) {
  std::uint64_t size = 0;
  walk_prompt(prompt_template, input, dependencies, outputs,
              [&](std::string_view part) { size += part.size(); });
  return size;
}

std::string render_prompt(const std::optional<std::string>& prompt_template, std::string_view input,
                          const std::vector<std::string>& dependencies,
                          const std::map<std::string, std::string>& outputs) {
  std::string prompt;
  prompt.reserve(rendered_prompt_size(prompt_template, input, dependencies, outputs));
  walk_prompt(prompt_template, input, dependencies, outputs,
              [&](std::string_view part) { prompt += part; });
  return prompt;
}

} // namespace tutti::definition
