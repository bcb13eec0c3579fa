// What one run changes of an ensemble without editing its file: `tutti run --profile NAME`,
// `--model NAME`, `--set agent.field=value` and `--timeout SECONDS`. Applied to the ensemble
// as read, before it is resolved, so the overridden ensemble is checked like a written one.
#pragma once

#include <tutti/definition/ensemble.hpp>
#include <tutti/definition/outcome.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace tutti::definition {

struct run_overrides {
  /// Every agent takes this profile, its server and its model: the agents' own backend,
  /// provider, base_url and model give way (their prompts and other settings stay).
  std::optional<std::string> profile;
  /// Every agent asks for this model, on the server it already names.
  std::optional<std::string> model;
  /// "agent.field=value" each, applied last: model, backend, provider, base_url, profile,
  /// prompt, system_prompt, temperature, max_tokens, timeout_seconds or priority. Naming a
  /// server (backend, provider, base_url) replaces the agent's other server keys.
  std::vector<std::string> settings;
  /// The ensemble's deadline.
  std::optional<std::chrono::milliseconds> timeout;

  bool is_empty() const { return !profile && !model && settings.empty() && !timeout; }
};

/// The fields --set can change, as it spells them.
const std::vector<std::string>& settable_fields();

/// `e` with `o` applied. Every problem is reported at once, each naming the option and what
/// it says (an unknown agent or field with the nearest names, a value out of range).
outcome<ensemble> apply_overrides(ensemble e, const run_overrides& o);

} // namespace tutti::definition
