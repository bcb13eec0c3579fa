// What keeps a record of runs as they go (the run store is one): told of a run's start, each
// agent's final result the moment it is known, and the whole result at the end.
#pragma once

#include <tutti/engine/run_result.hpp>

#include <cstddef>

namespace tutti::engine {

/// Called one call at a time per run, in the order of the run's events: run_started on the
/// thread that starts the run, before start() returns, the rest on engine threads;
/// every call must be quick, since the run waits for it. An observer may serve several runs at
/// once and must then be thread-safe.
class run_observer {
 public:
  virtual ~run_observer() = default;

  /// Before any agent starts: the run's id, ensemble, input, options and phases, its agents
  /// with their backends and nothing run yet.
  virtual void run_started(const run_result& run) = 0;
  /// `run.agents[agent]` is final: it succeeded, failed, timed out, was skipped or reused.
  virtual void agent_finished(const run_result& run, std::size_t agent) = 0;
  /// The result as run() returns it.
  virtual void run_finished(const run_result& run) = 0;
};

} // namespace tutti::engine
