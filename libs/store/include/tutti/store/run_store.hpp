// The run history: every run and each of its agents' results, in one SQLite file that several
// processes may write at once.
#pragma once

#include <tutti/engine/run_result.hpp>
#include <tutti/store/store_error.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tutti::store {

struct store_options {
  bool create = true; // create the file (and its directory) when it does not exist
  /// The most the file may grow to; past it, writes fail as on a full disk. 0: no cap.
  std::int64_t max_bytes = 0;
  std::chrono::milliseconds busy_timeout{10'000}; // how long a write waits for another's
};

/// What a run was started from, beyond what its result says: enough to run it again.
struct run_origin {
  std::string file;                      // the ensemble file
  std::string definition_hash;           // ensemble_fingerprint
  std::vector<std::string> agent_hashes; // agent_fingerprint, per agent in definition order
};

/// An agent's final result, and its place in the ensemble's definition order.
struct finished_agent {
  std::size_t position = 0;
  engine::agent_result result;
};

struct run_summary {
  std::string id;
  std::string ensemble;
  engine::run_status status = engine::run_status::running;
  std::chrono::system_clock::time_point started_at;
  std::optional<std::chrono::system_clock::time_point> ended_at;
  std::size_t agents = 0;
  std::size_t succeeded = 0; // agents that succeeded, reused ones included
  std::string resumed_from;
};

struct stored_run {
  engine::run_result result; // as `tutti run` printed it; what finished so far if it did not
  run_origin origin;
  std::chrono::system_clock::time_point started_at;
};

struct run_filter {
  std::optional<std::string> ensemble;
  std::optional<engine::run_status> status;
  std::size_t limit = 20; // the newest this many
};

/// What a run's end adds to its start: id, status, time and statistics; no agents.
engine::run_result run_end_of(const engine::run_result& run);

/// One connection to a store file. Not for use by two threads at once; processes and other
/// connections may use the same file freely.
class run_store {
 public:
  /// Opens or creates the store at `path`, bringing its schema up to date. not_a_store when
  /// the file is corrupt, another program's database or from a newer tutti; unwritable when
  /// it cannot be created or opened.
  static store_outcome<std::unique_ptr<run_store>> open(const std::filesystem::path& path,
                                                        const store_options& options = {});
  ~run_store();
  run_store(const run_store&) = delete;
  run_store& operator=(const run_store&) = delete;

  const std::filesystem::path& path() const;

  /// Records a run that has just started: `run` is its skeleton (run_observer::run_started).
  std::optional<store_error> begin_run(engine::run_result run, const run_origin& origin);
  /// Records the final results of some of the run's agents, several rows a statement.
  std::optional<store_error> save_agents(const std::string& run_id,
                                         const std::vector<finished_agent>& agents);
  /// The same for one agent.
  std::optional<store_error> save_agent(const std::string& run_id, std::size_t position,
                                        const engine::agent_result& agent);
  /// Records the run's end: what run_end_of keeps of it (its agents are written already).
  std::optional<store_error> finish_run(const engine::run_result& run);
  /// Runs `writes` (calls of the three above) as one transaction: all of them or none.
  template <class Writes>
  std::optional<store_error> in_one_transaction(Writes&& writes);

  /// The newest runs first.
  store_outcome<std::vector<run_summary>> list(const run_filter& filter) const;
  /// The run of that id, or of the one id that starts with it.
  store_outcome<stored_run> load(const std::string& id_or_prefix) const;
  /// Removes the run of that id (or unique prefix) and its agents; its id. A run still
  /// running is refused (store_errc::running).
  store_outcome<std::string> remove(const std::string& id_or_prefix);
  /// Removes every run started before `cutoff`, except those still running; how many.
  store_outcome<std::size_t> remove_older_than(std::chrono::system_clock::time_point cutoff);

 private:
  struct impl;
  explicit run_store(std::unique_ptr<impl> i);
  std::optional<store_error> begin_transaction();
  std::optional<store_error> end_transaction(bool commit);
  std::unique_ptr<impl> impl_;
};

template <class Writes>
std::optional<store_error> run_store::in_one_transaction(Writes&& writes) {
  if (auto error = begin_transaction()) {
    return error;
  }
  auto error = writes();
  if (auto ended = end_transaction(!error)) {
    return error ? error : ended;
  }
  return error;
}

} // namespace tutti::store
