// The outcome of one ensemble run: a plain value with the same content as `tutti run --json`.
#pragma once

#include <tutti/definition/ensemble.hpp>
#include <tutti/providers/completion.hpp>
#include <tutti/resources/group_statistics.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tutti::engine {

/// pending: not finished; only in a run read back from a store while it runs, or after its
/// process ended. partial: a fan-out agent some of whose instances did not succeed.
enum class agent_status : std::int8_t { success, failed, timeout, skipped, pending, partial };

/// completed: every agent succeeded; partial: some did not; failed: none did; timeout: the
/// ensemble deadline passed; cancelled: the run was cancelled through its handle. A run read
/// back from a store may also be running (in another process) or interrupted (its process
/// ended before it did).
enum class run_status : std::int8_t {
  completed,
  partial,
  failed,
  timeout,
  cancelled,
  running,
  interrupted
};

/// parallel: phases fan out up to the cap; sequential: one agent at a time, the baseline.
enum class run_mode : std::int8_t { parallel, sequential };

std::string_view to_string(agent_status s);
std::string_view to_string(run_status s);
std::string_view to_string(run_mode m);
std::string_view to_string(definition::scheduling_policy s);
/// What to_string names `name`; nullopt for any other text.
std::optional<agent_status> agent_status_named(std::string_view name);
std::optional<run_status> run_status_named(std::string_view name);
std::optional<run_mode> run_mode_named(std::string_view name);
std::optional<definition::scheduling_policy> scheduling_named(std::string_view name);

/// A stretch of a run, in milliseconds since it started.
struct time_span {
  double start_ms = 0;
  double end_ms = 0;
};

/// One model an agent with fallbacks tried, and what came of it there.
struct profile_attempt {
  std::string profile; // empty when the agent named its model without a profile
  std::string provider;
  std::string model;
  agent_status status = agent_status::failed;
  std::optional<providers::call_errc> error_code;
  std::string error;
  int attempts = 0;
};

struct agent_result;

/// One run of the ensemble that an agent runs: the whole of it for `ensemble = ...`, one
/// iteration of a loop.
struct nested_run {
  std::string id; // the parent run's id, the agent's name and the iteration: RUN/AGENT/1
  run_status status = run_status::completed;
  double started_ms = 0; // since the parent run started
  double elapsed_ms = 0;
  std::string output; // its final output (its last phase's); empty when it has none
  std::vector<agent_result> agents;
};

struct agent_result {
  std::string name;
  agent_status status = agent_status::skipped;
  std::string response;
  std::string error;                              // the failure, or why the agent was skipped
  std::optional<providers::call_errc> error_code; // what the failure was; none when skipped
  std::string profile; // the configuration profile the agent named; empty when none
  std::string provider;
  std::string model;
  std::string backend;
  std::string group;
  std::size_t phase = 0;
  std::vector<std::string> depends_on; // the agents whose outputs this one was given
  std::optional<double> queued_ms; // milliseconds spent waiting for slots; absent if never asked
  // Milliseconds since the run started; absent for what did not happen.
  std::optional<double> started_ms;
  std::optional<double> finished_ms;
  double duration_ms = 0;
  int attempts = 0;
  std::vector<time_span> retry_waits; // the waits between attempts, as they were announced
  providers::token_usage usage;       // of the call that produced the response, reused or not
  std::optional<double> cost_usd;     // usage at the model's price; none when either is unknown
  std::optional<std::string> prompt;  // as rendered, when the run was asked to keep prompts
  bool reused = false; // taken from an earlier run (see run_options::reuse), not called again
  // Skipped because a condition, its own or one before it, chose not to run it: not needed
  // rather than failed, so that it leaves the run completed.
  bool skipped_by_condition = false;
  // A fan-out agent: the dependency whose output it split (empty for any other agent), and
  // its instances NAME[0], NAME[1], ... in item order. Its response is their outputs gathered
  // as a JSON array, null in the place of an instance that did not succeed.
  std::string fan_out;
  std::vector<agent_result> instances;
  // An agent with fallbacks: each model it tried, in order; the last is the one that answered
  // (or failed last), which profile, provider, model, backend and group also name.
  std::vector<profile_attempt> profile_attempts;
  // An agent that runs an ensemble: its name, and each run of it (a loop's iterations) in
  // order; the last one's final output is the agent's.
  std::string ensemble;
  std::vector<nested_run> runs;
};

struct run_result {
  std::string id;
  std::string resumed_from; // the run whose results this one reused; empty when none
  std::string ensemble;
  std::string started_at; // UTC, as "2026-11-27T07:01:02.123Z"; empty when not known
  run_status status = run_status::completed;
  std::string input;
  double elapsed_ms = 0;
  run_mode mode = run_mode::parallel;
  definition::scheduling_policy scheduling = definition::scheduling_policy::phased;
  int max_concurrent_agents = 0;
  std::optional<double> max_cost_usd; // the run's cost limit, when it had one
  std::vector<std::vector<std::string>> phases;
  std::vector<agent_result> agents;                   // in definition order
  std::vector<resources::group_statistics> resources; // the run's groups when it ended
  /// The caps above the groups when it ended: the run's max_concurrent_agents ("run") and the
  /// engine's max_concurrent_llm_calls ("engine").
  std::vector<resources::group_statistics> caps;

  /// The agent of that name, or nullptr.
  const agent_result* find(std::string_view name) const;
  /// The sum of agent durations: what a sequential run would have spent calling models.
  double total_agent_ms() const;
};

/// What a run came to, summed over its agents.
struct run_totals {
  std::size_t agents = 0;
  std::size_t succeeded = 0;
  std::size_t failed = 0;
  std::size_t timed_out = 0;
  std::size_t skipped = 0;
  std::size_t partial = 0;              // fan-out agents some of whose instances failed
  std::size_t skipped_by_condition = 0; // of those skipped
  std::size_t pending = 0;              // a stored run that has not ended, or never will
  std::int64_t input_tokens = 0;        // over the agents whose backends reported them
  std::int64_t output_tokens = 0;
  std::size_t without_usage = 0;  // agents that succeeded without their usage reported
  std::optional<double> cost_usd; // over the agents whose cost is known; none when no agent's is
  std::size_t without_cost = 0;   // agents that succeeded at a cost unknown (usage or price)
  double agent_ms = 0;            // the sum of agent durations
};

run_totals totals_of(const run_result& r);

/// A run's answer: the output of its last phase's agents (but those a condition skipped), one
/// agent's as it is, several each under a "### NAME" heading. nullopt, with why in `why`, when
/// one of them has no output.
std::optional<std::string> final_output(const run_result& r, std::string& why);
/// What precedes one final agent's output in a run's answer, given how many there are.
std::string output_heading(const std::string& agent, std::size_t finals);

/// The run's status from its agents' statuses (completed, partial or failed); agents skipped by
/// a condition do not count, and a partial agent makes the run partial.
run_status status_of(const std::vector<agent_result>& agents);

} // namespace tutti::engine
