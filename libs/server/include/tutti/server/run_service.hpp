// What `tutti serve` does, without HTTP: one engine for every run of every client, so one
// resource actor per group; runs taken, kept while they matter and cancelled; the library
// reloaded; limits changed. Routes and tests call it directly. Thread-safe.
#pragma once

#include <tutti/engine/engine.hpp>
#include <tutti/server/library.hpp>
#include <tutti/server/run_record.hpp>

#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace tutti::store {
class store_writer;
} // namespace tutti::store

namespace tutti::server {

/// A request the service turns down, with the HTTP status that says why.
struct api_error {
  api_error(int s, std::string m, std::optional<int> retry_after = std::nullopt)
      : status(s), message(std::move(m)), retry_after_seconds(retry_after) {}

  int status;
  std::string message;
  std::optional<int> retry_after_seconds; // with 503
};

template <class T>
using api_outcome = std::variant<T, api_error>;

/// A run to start; every field but `ensemble` overrides what the ensemble says.
struct run_request {
  std::string ensemble;
  std::optional<std::string> input;                 // else the ensemble's default_input
  std::optional<int> priority;                      // 1..10
  std::optional<int> max_concurrent_agents;         // >= 1
  std::optional<std::chrono::milliseconds> timeout; // the ensemble's deadline
  std::optional<engine::run_mode> mode;
  std::optional<definition::scheduling_policy> scheduling;
};

struct service_settings {
  std::size_t max_pending_runs = 256; // runs taken and not finished; more are refused (503)
  std::size_t kept_runs = 256;        // finished runs kept in memory for GET and events
};

class run_service {
 public:
  /// `writer` (may be empty) keeps every run in the run store. Throws engine::engine_error
  /// when two of the library's backends reach one server with different limits.
  run_service(library_source source, library initial, engine::engine_options engine_options,
              service_settings settings, std::shared_ptr<store::store_writer> writer);
  /// Cancels the runs still going and waits for them.
  ~run_service();
  run_service(const run_service&) = delete;
  run_service& operator=(const run_service&) = delete;

  api_outcome<std::shared_ptr<run_record>> submit(run_request request);
  /// A run taken since the start, while it runs and among the last kept_runs after.
  std::shared_ptr<run_record> find(const std::string& id) const;
  /// Runs going, then those kept, newest first.
  std::vector<std::shared_ptr<run_record>> runs() const;
  /// Cancels every run still going and refuses new ones; returns once they have all ended.
  void shutdown();

  /// The ensembles served, by name.
  std::shared_ptr<const library> current() const;
  /// Loads the library again; one that does not load whole is refused (422) and the old one
  /// stays. Runs going keep the ensemble they started with.
  api_outcome<std::shared_ptr<const library>> reload();

  engine::resource_statistics resources() const;
  /// Changes a group's limit at once; 404 when the engine has no such group yet.
  std::optional<api_error> set_limit(const std::string& group, definition::concurrency_limit limit);

  std::size_t pending() const;

  /// The engine every run goes through (a cluster publishes its groups).
  engine::engine& engine() { return engine_; }

 private:
  void finished(const std::string& id);
  void keep(std::shared_ptr<run_record> record); // with mutex_ held
  std::string unused_run_id() const;
  /// Every group of every ensemble exists from the start: limits can be set before any run.
  void prepare(const library& lib);

  const library_source source_;
  const service_settings settings_;
  const std::shared_ptr<store::store_writer> writer_;
  mutable std::mutex mutex_;
  std::shared_ptr<const library> library_;
  std::map<std::string, std::shared_ptr<run_record>> going_;
  std::deque<std::shared_ptr<run_record>> kept_; // finished, oldest first
  std::size_t starting_ = 0;                     // taken, and not yet listed in going_
  bool stopping_ = false;
  // Last, so destroyed first: its runs' ends still reach the members above.
  engine::engine engine_;
};

} // namespace tutti::server
