// One agent's call, from its first request for a slot to its last release, as a plain state
// machine: acquire -> call -> (release, wait, acquire, call)* -> done. One deadline, set at the
// first admission, bounds the calls and the waits between them; queue waits before that are
// bounded by the ensemble deadline and the queue timeout, which the phase enforces. Pure: no
// actors, no clocks; the agent actor feeds it what happened and carries out what it says.
#pragma once

#include <tutti/providers/completion.hpp>
#include <tutti/providers/retry_policy.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace tutti::engine {

/// What an agent whose own timeout ran out while its model was answering says, whichever
/// timer saw it first: the phase's or the HTTP exchange's, which is bounded by the same time.
std::string agent_timeout_error(std::chrono::milliseconds timeout);

class agent_call {
 public:
  using clock = std::chrono::steady_clock;

  /// What to do next. acquire: ask the group for a slot; call: call the model with
  /// `time_left`; wait: ask again after `delay`; done: report result(). When `release` is
  /// set, give the slot back first, with that code.
  struct step {
    enum class kind : std::int8_t { acquire, call, wait, done };
    kind what = kind::acquire;
    std::chrono::milliseconds time_left{0};
    std::chrono::milliseconds delay{0};
    std::optional<providers::call_errc> release;
  };

  agent_call(std::chrono::milliseconds timeout, providers::retry_settings retry);

  step begin(clock::time_point now);
  /// The group (and every cap) admitted the request.
  step admitted(clock::time_point now);
  /// The model call ended; `jitter` in [0, 1) spreads retries of calls that failed together.
  step answered(providers::completion_result r, clock::time_point now, double jitter);
  /// The model answered, but not in the form asked for (output_schema): ask it once more on
  /// the same slot, within the deadline; the usage of `r` counts in the result.
  step ask_again(const providers::completion_result& r, clock::time_point now);
  /// The wait before another attempt is over.
  step waited(clock::time_point now);
  /// The group will not admit the request (its server is down and the time would run out).
  step refused(providers::call_errc code, std::string message);
  /// Once done with a failure: starts over on another model with its own retries, within the
  /// deadline already set (if one is).
  step fall_back(providers::retry_settings retry, clock::time_point now);

  /// Once done: the last attempt's result, its error saying how many attempts it took.
  const providers::completion_result& result() const { return result_; }
  /// Calls made, on every model tried; and on the one tried now.
  int attempts() const { return attempts_; }
  int attempts_on_this_model() const { return model_attempts_; }
  /// Waiting for slots, in total.
  std::chrono::milliseconds queued() const { return queued_; }
  /// When the agent's time ends; set at the first admission.
  std::optional<clock::time_point> deadline() const { return deadline_; }
  bool is_done() const { return is_done_; }

 private:
  step finish(providers::completion_result r, std::optional<providers::call_errc> release);
  // Another call, with the time left before the deadline; none left: done, timed out, saying
  // "no time left WHAT", and giving the slot back with `release_when_late`. A model attempt
  // counts against the retries; asking again for another form of answer does not.
  step call_within_deadline(clock::time_point now, std::string_view what,
                            providers::call_errc release_when_late, bool is_model_attempt);

  std::chrono::milliseconds timeout_;
  providers::retry_settings retry_;
  std::optional<clock::time_point> deadline_;
  clock::time_point attempt_ends_{}; // the last attempt's bound: now + time_left
  clock::time_point asked_at_{};
  std::chrono::milliseconds queued_{0};
  int attempts_ = 0;
  int model_attempts_ = 0;
  bool is_done_ = false;
  providers::completion_result result_;
  providers::token_usage spent_; // by answers asked again, added to the result's
};

} // namespace tutti::engine
