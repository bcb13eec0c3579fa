// The engine: runs ensembles on actors. This header needs no CAF; it is what the CLI uses
// and what a C++ program embeds.
#pragma once

#include <tutti/definition/config.hpp>
#include <tutti/definition/diagnostic.hpp>
#include <tutti/definition/environment.hpp>
#include <tutti/definition/resolved_ensemble.hpp>
#include <tutti/engine/run_event.hpp>
#include <tutti/engine/run_options.hpp>
#include <tutti/engine/run_result.hpp>
#include <tutti/providers/mock_provider.hpp>
#include <tutti/providers/provider.hpp>
#include <tutti/resources/group_statistics.hpp>
#include <tutti/resources/loaded_models_probe.hpp>

#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace caf {
class actor;
class actor_system;
class actor_system_config;
} // namespace caf

namespace tutti::engine {

class group_source; // tutti/engine/actors.hpp

/// Thrown by run() and start() for an ensemble the engine cannot run (see engine::check).
class engine_error : public std::runtime_error {
 public:
  explicit engine_error(definition::diagnostics problems);
  const definition::diagnostics& problems() const { return problems_; }

 private:
  definition::diagnostics problems_;
};

/// A run in progress. wait() may be called from any thread; cancel() only while the engine
/// that started the run is alive.
class run_handle {
 public:
  run_handle(std::shared_future<run_result> result, std::function<void()> cancel);

  /// Ends the run now: running agents fail with "run cancelled", the rest are skipped.
  void cancel();
  /// Blocks until the run has finished.
  const run_result& wait() const;
  /// The result if the run finishes within `timeout`, else null; kept by the handle, not
  /// copied (100,000 agents' results are some 100 MB).
  const run_result* wait_for(std::chrono::milliseconds timeout) const;

 private:
  std::shared_future<run_result> result_;
  std::function<void()> cancel_;
};

struct engine_options {
  std::size_t worker_threads = 0; // CAF scheduler threads; 0: one per core
  /// Asked for backends with max_concurrent = "auto"; by default the server itself, over HTTP
  /// (Ollama's /api/ps, LM Studio's /api/v0/models). A server that cannot be asked gets one
  /// request at a time, and its statistics say why.
  std::shared_ptr<resources::loaded_models_probe> loaded_models_probe;
  /// Where API keys are read from (a backend's api_key_env); by default the process's.
  definition::environment environment;
  /// Called on the actor system's configuration before the system starts: a cluster node
  /// loads CAF's network layer here.
  std::function<void(caf::actor_system_config&)> configure_actor_system;
  /// Where the groups that other engines hold come from (a cluster's authorities); none:
  /// every group is this engine's own.
  std::shared_ptr<group_source> shared_groups;
};

/// Every resource group the engine has admitted requests for, and the engine-wide limit.
struct resource_statistics {
  std::vector<resources::group_statistics> groups;
  resources::group_statistics engine_limit; // max_concurrent_llm_calls across all groups
  std::uint64_t active = 0;                 // requests calling a model now
  std::uint64_t pending = 0;                // requests waiting for a slot
};

class engine {
 public:
  explicit engine(definition::config config, engine_options options = {});
  /// Cancels the runs still going and waits for their actors to end.
  ~engine();
  engine(const engine&) = delete;
  engine& operator=(const engine&) = delete;

  /// Makes `provider` answer the agents whose backend speaks `provider_name` ("mock",
  /// "openai", ...). Call before starting runs that need it.
  void register_provider(const std::string& provider_name,
                         std::shared_ptr<providers::provider> provider);

  /// Why the engine cannot run `e` (two backends for one server with different limits); empty
  /// if it can.
  definition::diagnostics check(const definition::resolved_ensemble& e) const;

  /// Starts a run; several may run at once. Throws engine_error when check() finds problems.
  /// The run keeps `e` for its duration: move it in when done with it (100,000 agents are
  /// some 60 MB).
  run_handle start(definition::resolved_ensemble e, std::string input, run_options options = {},
                   event_callback on_event = {});

  /// start() and wait().
  run_result run(definition::resolved_ensemble e, std::string input, run_options options = {},
                 event_callback on_event = {});

  /// What the built-in mock provider has seen: calls, in flight and the peak in flight.
  providers::mock_provider::statistics mock_statistics() const;

  /// Live statistics of every resource group; blocks briefly (call from outside the engine).
  resource_statistics statistics() const;

  /// Makes the resource groups of `e`'s agents now, rather than at their first request, so
  /// that they show in statistics and take limits before any run (a server does this for
  /// every ensemble it serves). Throws engine_error when check() finds problems.
  void prepare(const definition::resolved_ensemble& e);

  /// Changes a group's limit while the engine runs; waiting requests see it at once.
  /// `group_id` is the group's id or any URL of its server ("http://127.0.0.1:11434/v1").
  /// False when no such group exists.
  bool set_group_limit(const std::string& group_id, definition::concurrency_limit limit);

  /// Whether a request to this backend and model would be admitted right now.
  bool can_run_immediately(const std::string& backend, const std::string& model) const;
  /// The same for a profile of the configuration; false for an unknown profile.
  bool can_run_immediately(const std::string& profile) const;

 private:
  friend caf::actor_system& actor_system_of(engine& e); // tutti/engine/actors.hpp
  friend std::optional<caf::actor> own_group_actor(engine& e, const std::string& server,
                                                   const std::string& model);
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace tutti::engine
