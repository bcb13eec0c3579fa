// A run on a tutti server (`tutti run --server URL`), driven as a local run is: its events as
// they happen, Ctrl-C as a cancel, and its result in the run JSON the server answers with.
#pragma once

#include <tutti/engine/run_event.hpp>
#include <tutti/engine/run_result.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>

namespace tutti::cli {

/// What a server said no with, or why it could not be asked; `status` 0 when it was not
/// reached.
struct remote_error {
  int status = 0;
  std::string message;
};

class remote_run {
 public:
  /// Starts `request` (the body of POST /v1/runs) on the server at `url`; `token` (may be
  /// empty) goes as a bearer header. Blocks until the server has taken the run; while it is
  /// busy (503), waits as it asks, telling `on_busy` the seconds, and gives up once
  /// `gave_up` says so (then no run was started).
  static std::variant<std::unique_ptr<remote_run>, remote_error>
  start(const std::string& url, const std::string& token, const std::string& request,
        const std::function<void(int)>& on_busy, const std::function<bool()>& gave_up);

  ~remote_run();
  remote_run(const remote_run&) = delete;
  remote_run& operator=(const remote_run&) = delete;

  /// The run as the server first showed it: its id, agents and phases.
  const engine::run_result& skeleton() const;
  /// Hands each event to `on_event` (from another thread) from now on; call once.
  void follow(engine::event_callback on_event);
  /// Asks the server to cancel the run; its end still comes through the events.
  void cancel();
  /// The result, once the run has ended and the server has said so within `timeout`; an
  /// error when the server was lost.
  std::optional<std::variant<engine::run_result, remote_error>>
  wait_for(std::chrono::milliseconds timeout);

  struct impl;

 private:
  explicit remote_run(std::unique_ptr<impl> impl);
  std::unique_ptr<impl> impl_;
};

} // namespace tutti::cli
