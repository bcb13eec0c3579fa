#include "resource_actor.hpp"

#include <tutti/definition/duration_text.hpp>

namespace tutti::engine {
namespace {

using resource_self = resource_actor_type::stateful_pointer<resource_state>;
using clock = std::chrono::steady_clock;
using providers::call_errc;
using resources::error_backoff;

constexpr std::size_t max_notified_queue = 64;

caf::actor owner_of(const resource_state::request& r) {
  return caf::actor_cast<caf::actor>(r.owner);
}

void notify_positions(resource_self self) {
  auto& st = self->state;
  if (!st.cfg.notifies_positions || st.queue->pending() > max_notified_queue) {
    return;
  }
  std::size_t ahead = 0;
  for (auto t : st.queue->waiting_in_order()) {
    auto& r = st.requests.at(t);
    if (r.last_ahead != ahead) {
      r.last_ahead = ahead;
      caf::anon_send(owner_of(r), position_atom::value, r.tag, st.cfg.group.id,
                     static_cast<std::uint64_t>(ahead));
    }
    ++ahead;
  }
}

// Asks the next cap of an admitted request, or, past the last, grants it.
void advance(resource_self self, ticket t) {
  auto& st = self->state;
  auto& r = st.requests.at(t);
  if (r.cap_tickets.size() < r.caps.size()) {
    r.at = resource_state::phase::capped;
    slot_request ask;
    ask.priority = r.priority;
    ask.tag = t;
    self->send(caf::actor_cast<resource_actor_type>(r.caps[r.cap_tickets.size()]),
               acquire_atom::value, std::move(ask));
    return;
  }
  r.at = resource_state::phase::active;
  ++st.calling;
  st.peak_calling = std::max(st.peak_calling, st.calling);
  caf::anon_send(owner_of(r), granted_atom::value, r.tag, t);
}

void schedule_wake(resource_self self) {
  auto& st = self->state;
  auto until = st.backoff.paused_until();
  // While a probe is under way the pause may be over: the probe's end admits again, and a
  // wake now would only come back at once, again and again.
  if (!until || st.is_wake_scheduled || *until <= clock::now()) {
    return;
  }
  st.is_wake_scheduled = true;
  auto delay = std::chrono::duration_cast<std::chrono::milliseconds>(*until - clock::now());
  self->delayed_send(self, std::max(delay, std::chrono::milliseconds{0}), wake_atom::value);
}

void end_request(resource_self self, ticket t, const call_report& report);

// While the server is paused after failures, a waiting request whose time runs out before the
// next probe would only wait to fail: it is refused now, with what the server last said. A
// server that refuses connections is down, not busy: then every waiting request is refused,
// so that a run against it ends in moments rather than at its timeouts.
void refuse_hopeless(resource_self self, clock::time_point now) {
  auto& st = self->state;
  auto until = st.backoff.paused_until();
  if (st.is_refusing || !st.cfg.has_backoff || !until ||
      st.backoff.current_gate(now) != error_backoff::gate::closed) {
    return;
  }
  std::vector<ticket> hopeless;
  for (auto t : st.queue->waiting_in_order()) {
    const auto& r = st.requests.at(t);
    const bool is_down = st.last_server_errc == call_errc::unreachable;
    if (is_down || (r.give_up_at && *r.give_up_at < *until)) {
      hopeless.push_back(t);
    }
  }
  const auto retry_in =
      std::max(std::chrono::duration_cast<std::chrono::milliseconds>(*until - now),
               std::chrono::milliseconds{0});
  const auto message =
      "the server " + st.cfg.group.id + " is down (" + st.last_server_error +
      "); it is tried again in " + definition::duration_text(retry_in) +
      (st.last_server_errc == call_errc::unreachable ? "" : ", after this agent's time runs out");
  // Ending a request admits again, which would come back here: one pass refuses them all.
  st.is_refusing = true;
  for (auto t : hopeless) {
    auto found = st.requests.find(t);
    if (found == st.requests.end()) {
      continue;
    }
    caf::anon_send(owner_of(found->second), refused_atom::value, found->second.tag,
                   call_report{call_errc::server_down, message});
    end_request(self, t, {call_errc::server_down, message});
  }
  st.is_refusing = false;
}

void try_admit(resource_self self) {
  auto& st = self->state;
  const auto now = clock::now();
  const auto gate = st.cfg.has_backoff ? st.backoff.current_gate(now) : error_backoff::gate::open;
  if (gate == error_backoff::gate::closed) {
    schedule_wake(self);
    refuse_hopeless(self, now);
    return;
  }
  const bool is_probe = gate == error_backoff::gate::probe;
  auto admitted = st.queue->admit(now, is_probe ? 1 : SIZE_MAX);
  for (auto t : admitted) {
    if (is_probe) {
      st.backoff.probe_started();
      st.probe = t;
    }
    advance(self, t);
  }
  if (!admitted.empty()) {
    notify_positions(self);
  }
}

void enqueue_request(resource_self self, slot_request ask) {
  auto& st = self->state;
  auto owner = self->current_sender();
  auto [owned, is_new_owner] = st.by_owner.try_emplace(caf::actor_cast<caf::actor_addr>(owner));
  if (is_new_owner) {
    self->monitor(owner);
  }
  const auto t = st.next_ticket++;
  owned->second.insert(t);
  resource_state::request r;
  r.tag = ask.tag;
  r.owner = std::move(owner);
  r.priority = ask.priority;
  r.caps = std::move(ask.caps);
  if (ask.may_wait > std::chrono::milliseconds{0}) {
    r.give_up_at = clock::now() + ask.may_wait;
  }
  st.requests.emplace(t, std::move(r));
  st.queue->enqueue(t, ask.priority, clock::now());
  try_admit(self);
  notify_positions(self);
  // Whoever waits hears so at least once, however long the queue: a run counts its waiting
  // agents apart from those that call.
  if (auto found = st.requests.find(t); st.cfg.notifies_positions && found != st.requests.end() &&
                                        found->second.at == resource_state::phase::waiting &&
                                        !found->second.last_ahead) {
    found->second.last_ahead = st.queue->pending() - 1;
    caf::anon_send(owner_of(found->second), position_atom::value, found->second.tag,
                   st.cfg.group.id, static_cast<std::uint64_t>(*found->second.last_ahead));
  }
}

void count(resource_state& st, call_errc code) {
  if (code == call_errc::timeout) {
    ++st.timed_out;
  } else if (code == call_errc::none) {
    ++st.completed;
  } else if (code == call_errc::cancelled) {
    ++st.cancelled;
  } else {
    ++st.failed;
  }
}

void end_request(resource_self self, ticket t, const call_report& report) {
  auto& st = self->state;
  auto found = st.requests.find(t);
  if (found == st.requests.end()) {
    return; // already ended, by its release, its refusal or its owner's exit
  }
  auto& r = found->second;
  const bool held_slot = r.at != resource_state::phase::waiting;
  if (held_slot) {
    st.queue->release(t);
  } else {
    st.queue->withdraw(t);
  }
  for (std::size_t i = 0; i < r.cap_tickets.size(); ++i) {
    self->send(caf::actor_cast<resource_actor_type>(r.caps[i]), release_atom::value,
               r.cap_tickets[i], call_report{report.code, {}});
  }
  if (r.at == resource_state::phase::capped) {
    st.awaited_caps.emplace(t, r.caps[r.cap_tickets.size()]);
  }
  const bool is_unanswered = r.at != resource_state::phase::active ||
                             report.code == call_errc::timeout ||
                             report.code == call_errc::cancelled;
  if (st.probe == t && is_unanswered) {
    st.backoff.probe_abandoned(); // the server said nothing: another request may probe
  }
  if (r.at == resource_state::phase::active) {
    --st.calling;
    count(st, report.code);
    if (st.cfg.has_backoff) {
      if (!is_unanswered) {
        const bool is_server_failure = providers::is_server_failure(report.code);
        if (is_server_failure) {
          st.last_server_error = report.error;
          st.last_server_errc = report.code;
        }
        st.backoff.record(is_server_failure, clock::now());
      }
    }
  }
  if (st.probe == t) {
    st.probe.reset();
  }
  if (auto owned = st.by_owner.find(caf::actor_cast<caf::actor_addr>(r.owner));
      owned != st.by_owner.end()) {
    owned->second.erase(t);
  }
  st.requests.erase(found);
  try_admit(self);
  if (!held_slot) {
    notify_positions(self);
  }
}

// The sender's request `tag`, withdrawn by the sender: ended as cancelled.
void withdraw_request(resource_self self, ticket tag) {
  auto& st = self->state;
  auto owned = st.by_owner.find(caf::actor_cast<caf::actor_addr>(self->current_sender()));
  if (owned == st.by_owner.end()) {
    return;
  }
  for (auto t : owned->second) {
    if (st.requests.at(t).tag == tag) {
      end_request(self, t, {call_errc::cancelled, {}});
      return;
    }
  }
}

// A cap's answer to advance().
void on_cap_granted(resource_self self, ticket t, ticket cap_ticket) {
  auto& st = self->state;
  auto found = st.requests.find(t);
  if (found == st.requests.end() || found->second.at != resource_state::phase::capped) {
    // Ended while the cap decided: hand the cap's slot straight back to it.
    if (auto awaited = st.awaited_caps.find(t); awaited != st.awaited_caps.end()) {
      self->send(caf::actor_cast<resource_actor_type>(awaited->second), release_atom::value,
                 cap_ticket, call_report{call_errc::cancelled, {}});
      st.awaited_caps.erase(awaited);
    }
    return;
  }
  found->second.cap_tickets.push_back(cap_ticket);
  advance(self, t);
}

resources::group_statistics statistics_of(const resource_state& st) {
  resources::group_statistics s;
  s.id = st.cfg.group.id;
  s.resource = st.cfg.is_cap ? std::string{"cap"}
                             : std::string{definition::to_string(st.cfg.group.resource)};
  s.is_unlimited = st.queue->limit().is_unlimited();
  s.limit = s.is_unlimited ? 0 : st.queue->limit().max();
  s.is_auto_limit = st.cfg.group.is_auto_limit;
  s.active = st.calling;
  s.pending = st.queue->pending() + (st.queue->active() - st.calling);
  s.peak_active = st.peak_calling;
  s.completed = st.completed;
  s.failed = st.failed;
  s.timed_out = st.timed_out;
  s.cancelled = st.cancelled;
  s.backoff = st.cfg.has_backoff ? st.backoff.state(clock::now()) : std::string{"off"};
  s.note = st.note;
  auto waits = st.queue->waits();
  s.wait_mean_ms = waits.mean_ms;
  s.wait_p50_ms = waits.p50_ms;
  s.wait_p95_ms = waits.p95_ms;
  s.wait_max_ms = waits.max_ms;
  return s;
}

void refresh_auto_limit(resource_self self) {
  auto me = caf::actor_cast<resource_actor_type>(self);
  self->state.cfg.probe->count_loaded(
      self->state.cfg.backend, [me](std::optional<int> loaded, std::string why) {
        caf::anon_send(me, loaded_atom::value, static_cast<std::int32_t>(loaded.value_or(-1)),
                       std::move(why));
      });
  self->delayed_send(self, self->state.cfg.backend.auto_refresh, refresh_atom::value);
}

} // namespace

resource_actor_type::behavior_type
resource_actor(resource_actor_type::stateful_pointer<resource_state> self, resource_config cfg) {
  auto& st = self->state;
  st.queue.emplace(cfg.group.limit);
  st.backoff = error_backoff{cfg.backend.backoff};
  st.cfg = std::move(cfg);
  self->set_down_handler([=](caf::down_msg& msg) {
    auto owned = self->state.by_owner.find(msg.source);
    if (owned == self->state.by_owner.end()) {
      return;
    }
    auto tickets = std::move(owned->second);
    self->state.by_owner.erase(owned);
    for (auto t : tickets) {
      end_request(self, t, {call_errc::cancelled, {}});
    }
  });
  if (st.cfg.group.is_auto_limit && st.cfg.probe) {
    self->send(self, refresh_atom::value);
  }
  return {
      [=](acquire_atom, slot_request& ask) { enqueue_request(self, std::move(ask)); },
      [=](granted_atom, ticket t, ticket cap_ticket) { on_cap_granted(self, t, cap_ticket); },
      [=](release_atom, ticket t, call_report& report) { end_request(self, t, report); },
      [=](withdraw_atom, ticket tag) { withdraw_request(self, tag); },
      [=](limit_atom, bool is_unlimited, std::int32_t max) {
        self->state.queue->set_limit(is_unlimited ? definition::concurrency_limit::unlimited()
                                                  : definition::concurrency_limit::at_most(max));
        try_admit(self);
      },
      [=](stats_atom) { return statistics_of(self->state); },
      [=](can_run_atom) -> caf::result<bool> {
        auto& st = self->state;
        return st.queue->pending() == 0 && st.queue->has_free_slot() &&
               (!st.cfg.has_backoff ||
                st.backoff.current_gate(clock::now()) == error_backoff::gate::open);
      },
      [=](wake_atom) {
        self->state.is_wake_scheduled = false;
        try_admit(self);
      },
      [=](refresh_atom) { refresh_auto_limit(self); },
      [=](loaded_atom, std::int32_t loaded, std::string& why) {
        auto& st = self->state;
        if (loaded < 0) {
          st.note = "cannot ask the server (" + why + "); using 1";
        } else {
          st.note = std::to_string(loaded) + " models loaded";
        }
        st.queue->set_limit(definition::concurrency_limit::at_most(std::max(1, loaded)));
        try_admit(self);
      },
  };
}

void announce_resource_types(caf::actor_system_config& cfg) {
  cfg.add_message_type<resources::group_statistics>("tutti.group_statistics");
  cfg.add_message_type<slot_request>("tutti.slot_request");
  cfg.add_message_type<call_report>("tutti.call_report");
}

} // namespace tutti::engine
