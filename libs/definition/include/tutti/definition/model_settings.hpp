// The settings a profile and an agent share; an agent's own settings override its profile's.
#pragma once

#include <tutti/definition/diagnostic.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace tutti::definition {

/// How the in-process mock backend behaves for one agent: `mock = { latency_ms = 200,
/// reply = "text with {prompt}", fail = "error text" }`.
struct mock_settings {
  std::optional<std::chrono::milliseconds> latency;
  std::optional<std::string> reply; // {prompt} and {agent} are substituted
  std::optional<std::string> fail;  // when set, the call fails with this error

  bool is_empty() const { return !latency && !reply && !fail; }
};

struct model_settings {
  // Where the model is served: a named backend, or a provider (with an optional base URL).
  std::optional<std::string> backend;
  std::optional<std::string> provider;
  std::optional<std::string> base_url;
  std::optional<std::string> model;
  std::optional<std::string> system_prompt;
  std::optional<std::chrono::milliseconds> timeout;       // the call, from its admission
  std::optional<std::chrono::milliseconds> queue_timeout; // the wait for a slot before it
  std::optional<double> temperature;
  std::optional<int> max_tokens;
  mock_settings mock;
  // Profiles to try in order when a call fails after its retries; their own fallbacks are not
  // followed.
  std::optional<std::vector<std::string>> fallback;

  bool names_target() const { return backend || provider || base_url; }
};

/// What is wrong with where settings say the model is served: which key, and why.
struct target_problem {
  std::string key;
  definition_errc code;
  std::string message;
};

/// The serving target is a backend, or a provider with an optional base URL; nullopt when the
/// keys present say one of those.
std::optional<target_problem> check_target(bool has_backend, bool has_provider, bool has_base_url);

/// `top` over `base`, field by field. The serving target (backend, provider, base_url) moves
/// as one: if `top` names any of it, none of `base`'s target is kept, since mixing a profile's
/// backend with an agent's provider would describe no server at all.
model_settings overlay(const model_settings& base, const model_settings& top);

} // namespace tutti::definition
