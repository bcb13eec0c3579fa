// The wire protocols tutti speaks, one per kind of backend.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace tutti::definition {

/// process: script agents' programs, run on this machine (the built-in backend "process").
enum class provider_kind { openai, anthropic, ollama, lmstudio, mock, process };

inline constexpr std::array<provider_kind, 6> all_provider_kinds{
    provider_kind::openai,   provider_kind::anthropic, provider_kind::ollama,
    provider_kind::lmstudio, provider_kind::mock,      provider_kind::process};

/// The name used in TOML files, e.g. "ollama".
std::string_view to_string(provider_kind p);

/// "'olama' is not one of openai, anthropic, ollama, lmstudio, mock (did you mean 'ollama'?)",
/// for a name parse_provider_kind() rejects.
std::string unknown_provider_message(std::string_view name);

/// Parses a TOML provider name; nullopt when it names no provider.
std::optional<provider_kind> parse_provider_kind(std::string_view name);

} // namespace tutti::definition
