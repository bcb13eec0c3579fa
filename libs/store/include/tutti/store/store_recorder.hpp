// Keeps runs in a store as they happen: the engine's observer for a run, writing on a thread
// of the store's own so that a slow disk never holds up an agent.
#pragma once

#include <tutti/engine/run_observer.hpp>
#include <tutti/store/run_store.hpp>

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace tutti::store {

/// One store's writing thread. Writes are applied in the order posted; what piles up while
/// one commits goes in the next transaction together, so each agent is committed as soon as
/// the thread gets to it, and a killed process loses at most what it had not got to. When
/// the store fails (a full disk, a read-only file), `on_failure` is called once, from the
/// writing thread, and later writes are dropped: the runs go on without the store.
class store_writer {
 public:
  using write = std::function<std::optional<store_error>(run_store&)>;

  store_writer(std::unique_ptr<run_store> store,
               std::function<void(const store_error&)> on_failure);
  /// Writes what was posted, then ends the thread.
  ~store_writer();
  store_writer(const store_writer&) = delete;
  store_writer& operator=(const store_writer&) = delete;

  void post(write w);
  /// Blocks until every write posted so far is committed, or dropped after a failure.
  void flush();
  /// The failure that stopped the writes, if one did.
  std::optional<store_error> failure();

 private:
  void work();

  std::unique_ptr<run_store> store_;
  std::function<void(const store_error&)> on_failure_;
  std::mutex mutex_;
  std::condition_variable work_queued_; // the writer waits on it
  std::condition_variable written_;     // flush() waits on it
  std::deque<write> queue_;
  std::size_t posted_ = 0;
  std::size_t done_ = 0;
  std::optional<store_error> failure_; // set once: later writes are dropped
  bool stopping_ = false;
  std::thread thread_; // last: starts once the rest exists
};

/// The observer of one run: records its start (with `origin`), each agent's result and its
/// end through `writer`. Made with std::make_shared (its writes hold on to it).
class run_recorder : public engine::run_observer,
                     public std::enable_shared_from_this<run_recorder> {
 public:
  run_recorder(std::shared_ptr<store_writer> writer, run_origin origin);

  void run_started(const engine::run_result& run) override;
  void agent_finished(const engine::run_result& run, std::size_t agent) override;
  void run_finished(const engine::run_result& run) override;

 private:
  std::shared_ptr<store_writer> writer_;
  run_origin origin_;
  std::mutex mutex_;
  std::vector<finished_agent> finished_; // not yet taken by a write
};

} // namespace tutti::store
