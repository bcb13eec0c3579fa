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
/// process ended.
enum class agent_status : std::int8_t { success, failed, timeout, skipped, pending };

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
  std::optional<double> queued_ms; // milliseconds spent waiting for slots; absent if never asked
  // Milliseconds since the run started; absent for what did not happen.
  std::optional<double> started_ms;
  std::optional<double> finished_ms;
  double duration_ms = 0;
  int attempts = 0;
  providers::token_usage usage; // of the call that produced the response, reused or not
  bool reused = false; // taken from an earlier run (see run_options::reuse), not called again
};

struct run_result {
  std::string id;
  std::string resumed_from; // the run whose results this one reused; empty when none
  std::string ensemble;
  run_status status = run_status::completed;
  std::string input;
  double elapsed_ms = 0;
  run_mode mode = run_mode::parallel;
  definition::scheduling_policy scheduling = definition::scheduling_policy::phased;
  int max_concurrent_agents = 0;
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

/// The run's status from its agents' statuses (completed, partial or failed).
run_status status_of(const std::vector<agent_result>& agents);

} // namespace tutti::engine
