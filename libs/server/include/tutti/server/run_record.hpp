// One run a server has taken: the run as it stands (its skeleton, each agent as it ends, then
// the result), every event so far as JSON, and who waits for more. Fed from engine threads,
// read from the server's; every member is safe to call from any thread.
#pragma once

#include <tutti/engine/engine.hpp>
#include <tutti/engine/run_event.hpp>
#include <tutti/engine/run_observer.hpp>
#include <tutti/engine/run_result.hpp>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace tutti::server {

/// What a reader of the events gets: those from the index asked on, and whether the run has
/// finished (then the last of them is the run's end, {"kind": "run_finished", "status",
/// "at_ms", "result": the run JSON}, and no more will come).
struct event_slice {
  std::vector<std::string> events; // one JSON object each
  bool finished = false;
};

/// A run's state in a few numbers, for lists polled twice a second: no copy of its agents.
struct run_progress {
  engine::run_status status = engine::run_status::running;
  double elapsed_ms = 0;
  std::size_t agents = 0;
  std::size_t agents_done = 0; // whose result is final
};

class run_record : public engine::run_observer {
 public:
  /// `next` (may be empty) is told of the run as well: the run store's recorder.
  /// `on_finished` (may be empty) is called once the run's end is recorded.
  run_record(std::string id, std::string ensemble, int priority,
             std::shared_ptr<engine::run_observer> next, std::function<void()> on_finished);

  const std::string& id() const { return id_; }
  const std::string& ensemble() const { return ensemble_; }
  int priority() const { return priority_; }
  std::chrono::system_clock::time_point submitted() const { return submitted_; }

  void run_started(const engine::run_result& run) override;
  void agent_finished(const engine::run_result& run, std::size_t agent) override;
  void run_finished(const engine::run_result& run) override;
  /// An event of the run; the engine's event callback.
  void add(const engine::run_event& e);

  /// The run as it stands: status `running` until it has finished.
  engine::run_result snapshot() const;
  run_progress progress() const;
  bool is_finished() const;
  /// Events from index `from` on. When there are none yet and the run goes on, `wake` is
  /// called once (on an engine thread) as soon as there are; it must be quick.
  event_slice read(std::size_t from, std::function<void()> wake);

  /// Cancels the run; what finished is kept.
  void cancel();
  void attach(engine::run_handle handle);
  /// The run never started (the engine refused it): it counts as finished, with no events.
  void abandon();
  /// Blocks until the run has finished, or was abandoned.
  engine::run_result wait() const;

 private:
  void append(std::string event); // with the lock held; wakes the readers
  double elapsed_ms() const;      // with the lock held

  const std::string id_;
  const std::string ensemble_;
  const int priority_;
  const std::chrono::system_clock::time_point submitted_;
  const std::shared_ptr<engine::run_observer> next_;
  const std::function<void()> on_finished_;
  const std::chrono::steady_clock::time_point started_;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_; // a handle is attached, or the run finished
  engine::run_result run_;
  bool finished_ = false;
  std::size_t agents_done_ = 0;
  std::vector<std::string> events_;
  std::vector<std::function<void()>> waiting_;
  std::optional<engine::run_handle> handle_;
  bool cancel_asked_ = false; // before the handle was attached
};

} // namespace tutti::server
