// An ensemble bound to a configuration: every agent with its backend, model and effective
// limits, and the phases it runs in. This is what the engine executes.
#pragma once

#include <tutti/definition/backend_spec.hpp>
#include <tutti/definition/condition.hpp>
#include <tutti/definition/config.hpp>
#include <tutti/definition/dependency_graph.hpp>
#include <tutti/definition/ensemble.hpp>
#include <tutti/definition/outcome.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tutti::definition {

/// A model an agent falls back to: a profile's target, with the agent's own settings over it.
struct model_target {
  std::string profile;
  backend_spec backend;
  std::string model;
  std::string system_prompt;
  std::optional<double> temperature;
  std::optional<int> max_tokens;
  mock_settings mock;
};

struct resolved_agent {
  std::string name;
  std::string profile; // the configuration profile it named; empty when none
  backend_spec backend;
  std::string model;
  std::string system_prompt;
  std::optional<double> temperature;
  std::optional<int> max_tokens;
  mock_settings mock;
  std::vector<model_target> fallbacks; // tried in order when the call fails after its retries
  std::chrono::milliseconds timeout{}; // for the call, from its admission
  std::optional<std::chrono::milliseconds> queue_timeout; // for the wait before admission
  int priority = default_priority;
  std::optional<std::string> prompt;
  std::vector<std::string> depends_on;
  std::vector<std::size_t> dependency_indices; // the same, as indices into agents
  dependency_failure_policy on_dependency_failure = dependency_failure_policy::skip;
  std::shared_ptr<const condition> when; // none: it always runs
  std::vector<std::string> script;       // a script agent's program and arguments; else empty
  std::string script_directory;          // where it runs: the ensemble file's folder
  script_input script_input_kind = script_input::text;
  /// Runs once per item of this dependency's output (an index into depends_on); none: once.
  std::optional<std::size_t> fan_out;
  std::size_t phase = 0;
};

struct resolved_ensemble {
  std::string name;
  std::string description;
  std::string default_input;
  std::string file;
  int max_concurrent_agents = 0;
  int max_concurrent_llm_calls = 0;
  std::chrono::milliseconds timeout{};
  scheduling_policy scheduling = scheduling_policy::phased;
  std::vector<resolved_agent> agents;
  phase_plan phases;
};

/// The backend that settings name: a configured backend, a provider's default backend, or an
/// ad-hoc backend for a provider at a base URL (which gets no API key). nullopt when the
/// settings name no target or an unknown backend.
std::optional<backend_spec> target_backend(const model_settings& s, const config& c);

/// The problems resolve() finds in each agent's own references (its profile, backend, model),
/// agent by agent, for an ensemble that is not valid as a whole: so that a file's problems are
/// said at once, an invalid agent name no longer hiding that agent's unknown profile.
diagnostics reference_problems(const ensemble& e, const config& c);

/// Binds a checked ensemble to a configuration. Reports unknown profiles and backends and
/// agents with no model, naming the ensemble file and line of the offending field.
outcome<resolved_ensemble> resolve(const ensemble& e, const config& c);

} // namespace tutti::definition
