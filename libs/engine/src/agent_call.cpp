#include "agent_call.hpp"

#include <tutti/definition/duration_text.hpp>

namespace tutti::engine {

using providers::call_errc;
using std::chrono::duration_cast;
using std::chrono::milliseconds;

std::string agent_timeout_error(milliseconds timeout) {
  return "no reply within the agent's timeout of " + definition::duration_text(timeout);
}

agent_call::agent_call(milliseconds timeout, providers::retry_settings retry)
    : timeout_(timeout), retry_(retry) {}

agent_call::step agent_call::begin(clock::time_point now) {
  asked_at_ = now;
  return {};
}

agent_call::step agent_call::admitted(clock::time_point now) {
  queued_ += duration_cast<milliseconds>(now - asked_at_);
  if (!deadline_) {
    deadline_ = now + timeout_;
  }
  return call_within_deadline(now, "for another attempt", call_errc::cancelled, true);
}

agent_call::step agent_call::call_within_deadline(clock::time_point now, std::string_view what,
                                                  call_errc release_when_late,
                                                  bool is_model_attempt) {
  const auto left = duration_cast<milliseconds>(deadline_.value_or(now) - now);
  if (left <= milliseconds{0}) {
    providers::completion_result late;
    late.code = call_errc::timeout;
    late.error = "no time left " + std::string{what} + " within the agent's timeout of " +
                 definition::duration_text(timeout_);
    return finish(std::move(late), release_when_late);
  }
  ++attempts_;
  model_attempts_ += is_model_attempt ? 1 : 0;
  attempt_ends_ = now + left;
  step s;
  s.what = step::kind::call;
  s.time_left = left;
  return s;
}

agent_call::step agent_call::answered(providers::completion_result r, clock::time_point now,
                                      double jitter) {
  if (r.code == call_errc::timeout && now >= attempt_ends_) {
    r.error = agent_timeout_error(timeout_);
  }
  if (r.is_success() || !providers::is_retryable(r.code) ||
      model_attempts_ >= retry_.max_attempts) {
    const auto code = r.code;
    return finish(std::move(r), code);
  }
  const auto left = duration_cast<milliseconds>(*deadline_ - now);
  const auto delay =
      r.retry_after.value_or(providers::backoff_delay(model_attempts_, retry_, jitter));
  if (delay >= left) {
    if (r.retry_after) {
      // Waiting as told would only end in a timeout that hides what the server said.
      r.error += " (it asks to retry after " + definition::duration_text(delay) +
                 ", more than the " + definition::duration_text(left) + " this agent has left)";
    }
    const auto code = r.code;
    return finish(std::move(r), code);
  }
  step s;
  s.what = step::kind::wait;
  s.delay = delay;
  s.release = r.code;
  result_ = std::move(r); // what is reported should no attempt be left
  return s;
}

agent_call::step agent_call::ask_again(const providers::completion_result& r,
                                       clock::time_point now) {
  spent_.add(r.usage);
  // The model did answer: the slot goes back as used, and asking again spends no retry.
  return call_within_deadline(now, "to ask again", call_errc::none, false);
}

agent_call::step agent_call::waited(clock::time_point now) {
  asked_at_ = now;
  return {};
}

agent_call::step agent_call::refused(call_errc code, std::string message) {
  providers::completion_result r;
  r.code = code;
  r.error = std::move(message);
  return finish(std::move(r), std::nullopt);
}

agent_call::step agent_call::fall_back(providers::retry_settings retry, clock::time_point now) {
  retry_ = retry;
  model_attempts_ = 0;
  is_done_ = false;
  asked_at_ = now;
  return {};
}

agent_call::step agent_call::finish(providers::completion_result r,
                                    std::optional<call_errc> release) {
  if (!r.is_success() && model_attempts_ > 1) {
    r.error += " (after " + std::to_string(model_attempts_) + " attempts)";
  }
  r.usage.add(spent_);
  result_ = std::move(r);
  is_done_ = true;
  step s;
  s.what = step::kind::done;
  s.release = release;
  return s;
}

} // namespace tutti::engine
