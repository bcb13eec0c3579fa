// An ensemble bound to a configuration: every agent with its backend, model and effective
// limits, and the phases it runs in. This is what the engine executes.
#pragma once

#include <tutti/definition/backend_spec.hpp>
#include <tutti/definition/condition.hpp>
#include <tutti/definition/config.hpp>
#include <tutti/definition/dependency_graph.hpp>
#include <tutti/definition/ensemble.hpp>
#include <tutti/definition/outcome.hpp>
#include <tutti/definition/output_schema.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
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

struct resolved_ensemble;

/// What an agent that runs an ensemble runs: the ensemble once (ensemble = ...), or again and
/// again until a condition on its results holds (loop = ...). Its final output (the last
/// phase's) is the agent's output.
struct nested_ensemble {
  std::shared_ptr<const resolved_ensemble> body;
  std::shared_ptr<const condition> until; // none: it runs max_iterations times
  int max_iterations = 1;
  // What the next iteration is given: each a value of the body's results (one operand of a
  // condition: ${NAME}, ${NAME.x}, output(NAME)), as written, after the loop's input or, when
  // carry_replaces_input, in its place.
  std::vector<std::pair<std::string, std::shared_ptr<const condition>>> carry;
  bool carry_replaces_input = false;
  bool is_loop = false;
  // The agent gives llm-orc's JSON of the nested result rather than the final output: for an
  // ensemble {"ensemble", "status", "input", "results", "deliverable"}, for a loop {"output",
  // "iterations", "terminated"}; and a loop's `output` is then the body's deliverable as
  // llm-orc reads it.
  bool llm_orc_output = false;
  /// The agent's own timeout_seconds, when it set one: the body's run ends at it, or at the
  /// body's own deadline, whichever comes first.
  std::optional<std::chrono::milliseconds> timeout;
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
  std::optional<nested_ensemble> nested;    // runs an ensemble rather than a model or a program
  std::optional<std::string> input_key;     // given this field of its first dependency's output
  std::optional<nlohmann::json> parameters; // a script agent's, in its JSON input
  std::optional<output_contract> output;    // what its model must answer; none: any text
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

/// The name by which a loop's `until` and `carry` read the body's final output, unless the
/// body has an agent of that name.
inline constexpr std::string_view body_output_name = "output";

/// Every agent that calls a model or runs a program: `e`'s own and, depth first, those of the
/// ensembles its agents run (each ensemble once).
void for_each_caller(const resolved_ensemble& e,
                     const std::function<void(const resolved_agent&)>& f);

/// Finds and resolves an ensemble that an agent runs (`ensemble = ...`, a loop's body), given
/// its name or path; a problem (not found, a cycle) is said at `where`, naming `field`.
using ensemble_loader = std::function<outcome<std::shared_ptr<const resolved_ensemble>>(
    const std::string& name_or_path, const source_location& where, const std::string& field)>;

/// Binds a checked ensemble to a configuration. Reports unknown profiles and backends and
/// agents with no model, naming the ensemble file and line of the offending field. Agents that
/// run ensembles need `load` (see ensemble_resolver); without it they are a problem.
outcome<resolved_ensemble> resolve(const ensemble& e, const config& c,
                                   const ensemble_loader& load = {});

} // namespace tutti::definition
