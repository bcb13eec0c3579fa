// How an agent's prompt is built from the ensemble input and its dependencies' outputs.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tutti::definition {

/// The agent names a template refers to with {agents.NAME}, in order of appearance.
std::vector<std::string> referenced_agents(std::string_view prompt_template);

/// Words in braces that look like placeholders but are none ({inptu}, {agent.x}): a letter, then
/// letters, digits, '_', '-' or '.', other than {input} and {agents.NAME}. They are sent as
/// written (prompts often contain code), so they are worth a warning, not an error.
std::vector<std::string> placeholder_like_words(std::string_view prompt_template);

/// The most a rendered prompt may hold: a template that repeats {input} 20,000 times over a
/// 100 KB input must fail as too large before it is built, not exhaust memory.
inline constexpr std::uint64_t max_prompt_bytes = 8 * 1024 * 1024;

/// The size of what render_prompt would return, without building it.
std::uint64_t rendered_prompt_size(const std::optional<std::string>& prompt_template,
                                   std::string_view input,
                                   const std::vector<std::string>& dependencies,
                                   const std::map<std::string, std::string>& outputs);

/// The prompt an agent sends. With a template, {input} and {agents.NAME} are substituted and
/// other braces are left alone (prompts often contain code). Without one, the input alone, or,
/// for an agent with dependencies, the input followed by each dependency's output under a
/// "## NAME" heading, in `dependencies` order.
std::string render_prompt(const std::optional<std::string>& prompt_template, std::string_view input,
                          const std::vector<std::string>& dependencies,
                          const std::map<std::string, std::string>& outputs);

} // namespace tutti::definition
