// One agent as written in an ensemble file.
#pragma once

#include <tutti/definition/diagnostic.hpp>
#include <tutti/definition/model_settings.hpp>

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tutti::definition {

/// What an agent does when one of its dependencies did not succeed: be skipped, or run and
/// see the dependency's error in place of its output.
enum class dependency_failure_policy { skip, run };

/// What a script agent's program reads on stdin: the agent's rendered input, or a JSON object
/// with the input and each dependency's result.
enum class script_input { text, json };

/// The keys that pick or tune a model: they do not apply to a script agent.
inline constexpr std::string_view model_keys[] = {
    "profile",     "backend",    "provider", "base_url", "model",         "system_prompt",
    "temperature", "max_tokens", "mock",     "fallback", "output_format", "output_schema"};

/// Whether `key` is one of model_keys.
bool is_model_key(std::string_view key);

/// A loop as written: its body ensemble runs again until `until` holds on the body's results
/// or max_iterations runs have been made.
struct loop_spec {
  std::string body;                 // an ensemble's name or path
  std::optional<std::string> until; // a condition on the body's agents (condition.hpp)
  int max_iterations = 0;
  // What the next iteration is given: the body's agents' outputs or values (NAME, ${NAME.x}),
  // after the loop's input when a list, in its place when one text (llm-orc's carry).
  std::vector<std::string> carry;
  bool carry_replaces_input = false;
};

struct agent_spec {
  std::string name;
  std::optional<std::string> profile;
  model_settings settings;
  std::optional<int> priority;       // 1..10, overrides the ensemble's
  std::optional<std::string> prompt; // template with {input} and {agents.NAME}
  std::vector<std::string> depends_on;
  dependency_failure_policy on_dependency_failure = dependency_failure_policy::skip;
  std::optional<std::string> when; // a condition on its dependencies (condition.hpp)
  // A script agent's program and arguments (no shell), run instead of a model.
  std::optional<std::vector<std::string>> script;
  script_input script_input_kind = script_input::text;
  // Run once per item of a dependency's output: that dependency's name, or "" for `true`
  // (its only dependency).
  std::optional<std::string> fan_out;
  // What it is given of its first dependency: that field of the dependency's JSON output in
  // place of the output (llm-orc's input_key).
  std::optional<std::string> input_key;
  // A script agent's parameters: given to its program in its JSON input (script_input = "json").
  std::optional<nlohmann::json> parameters;
  // What the model must answer: "json" (any JSON value) or, with output_schema, JSON that
  // matches that schema (a subset of JSON Schema: output_schema.hpp).
  std::optional<std::string> output_format;
  std::optional<nlohmann::json> output_schema;
  std::optional<std::string> ensemble; // runs this ensemble (a name or a path) instead of a model
  std::optional<loop_spec> loop;       // runs an ensemble in a loop instead of a model
  // What an agent that runs an ensemble gives: its final output ("final"), or llm-orc's JSON
  // of the nested result ("llm-orc"), which llm-orc files' dependants read.
  std::optional<std::string> nested_output;
  source_location where; // the [[agents]] table

  /// Where one key was written, in the file of `where`.
  struct key_position {
    std::string key;
    int line = 0;
    int column = 0;
  };
  std::vector<key_position> keys; // in the order written; one list, not a map, per agent

  /// Where `key` was written, or the agent's table when it was not.
  source_location location_of(std::string_view key) const;
};

} // namespace tutti::definition
