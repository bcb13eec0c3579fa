#include <tutti/resources/error_backoff.hpp>

#include <algorithm>

namespace tutti::resources {

error_backoff::error_backoff(definition::backoff_spec settings)
    : settings_(settings), pause_(settings.initial_pause) {}

void error_backoff::record(bool is_transient_failure, time_point now) {
  if (!is_transient_failure) {
    consecutive_failures_ = 0;
    pause_ = settings_.initial_pause;
    paused_until_.reset();
    is_probing_ = false;
    return;
  }
  ++consecutive_failures_;
  if (is_probing_) {
    // The probe failed: the server is still down, so wait twice as long.
    is_probing_ = false;
    pause_ = std::min(pause_ * 2, settings_.max_pause);
    paused_until_ = now + pause_;
  } else if (!paused_until_ && consecutive_failures_ >= settings_.failures_before_pause) {
    paused_until_ = now + pause_;
  }
}

error_backoff::gate error_backoff::current_gate(time_point now) const {
  if (!paused_until_) {
    return gate::open;
  }
  if (now < *paused_until_ || is_probing_) {
    return gate::closed;
  }
  return gate::probe;
}

std::string error_backoff::state(time_point now) const {
  if (!paused_until_) {
    return "ok";
  }
  return is_probing_ ? "probing" : (now < *paused_until_ ? "paused" : "probe due");
}

} // namespace tutti::resources
