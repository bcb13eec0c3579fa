// When a backend keeps failing with connection errors or 5xx, stop sending it requests for a
// while (1 s doubling to 30 s by default), then let one probe through to see if it is back.
// Pure: times are passed in.
#pragma once

#include <tutti/definition/backend_spec.hpp>
#include <tutti/resources/admission_queue.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace tutti::resources {

class error_backoff {
 public:
  enum class gate { open, probe, closed };

  explicit error_backoff(definition::backoff_spec settings = {});

  /// Records a finished call: a transient failure (connection error, 5xx) or anything else.
  void record(bool is_transient_failure, time_point now);
  /// open: admit freely; probe: admit exactly one request, then call probe_started();
  /// closed: admit nothing until paused_until(), or until the probe has finished.
  gate current_gate(time_point now) const;
  void probe_started() { is_probing_ = true; }
  /// The probe ended without an answer from the server (its agent timed out or was
  /// cancelled): another request may probe.
  void probe_abandoned() { is_probing_ = false; }
  std::optional<time_point> paused_until() const { return paused_until_; }
  /// "ok", "paused" or "probing", for statistics.
  std::string state(time_point now) const;
  int consecutive_failures() const { return consecutive_failures_; }

 private:
  definition::backoff_spec settings_;
  int consecutive_failures_ = 0;
  std::chrono::milliseconds pause_;
  std::optional<time_point> paused_until_;
  bool is_probing_ = false;
};

} // namespace tutti::resources
