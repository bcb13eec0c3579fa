#include "composition.hpp"

namespace tutti::llm_orc {
namespace {

bool is_ascii_letter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

char upper(char c) {
  return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
}

char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

} // namespace

std::string role_text(std::string_view profile_or_name) {
  // str.title(): a letter after a letter is lower case, any other letter upper case; digits
  // and punctuation separate words ("4o" -> "4O"). Only ASCII letters are cased here.
  std::string role;
  role.reserve(profile_or_name.size());
  bool after_letter = false;
  for (char c : profile_or_name) {
    if (c == '-') {
      c = ' ';
    }
    const bool is_letter = is_ascii_letter(c);
    role += is_letter ? (after_letter ? lower(c) : upper(c)) : c;
    after_letter = is_letter;
  }
  return role;
}

std::string composed_prompt(const std::vector<dependency_block>& dependencies,
                            bool dependencies_only) {
  std::string blocks;
  for (const auto& d : dependencies) {
    blocks += (blocks.empty() ? "" : "\n\n") + ("Agent " + d.name + " (" + d.role + "):\n") +
              "{agents." + d.name + "}";
  }
  if (dependencies_only) {
    return blocks;
  }
  // llm-orc's text, word for word (core/execution/phases/dependency_resolver.py).
  return "Please respond to the following input, taking into account the results from the "
         "previous agents in the dependency chain.\n\nOriginal Input:\n{input}\n\nPrevious "
         "Agent Results (for your reference):\n" +
         blocks +
         "\n\nPlease provide your own analysis, building upon (but not simply repeating) the "
         "previous results.";
}

} // namespace tutti::llm_orc
