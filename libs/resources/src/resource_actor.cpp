#include <tutti/resources/resource_actor.hpp>

namespace tutti::resources {
namespace {

using wake_atom = caf::atom_constant<caf::atom("wake")>;
using refresh_atom = caf::atom_constant<caf::atom("refresh")>;
using loaded_atom = caf::atom_constant<caf::atom("loaded")>;

using resource_self = caf::stateful_actor<resource_state>*;
using clock = std::chrono::steady_clock;

// What ended a request, as counted in the statistics.
enum class ending { success, failure, transient_failure, timed_out, cancelled };

constexpr std::size_t max_notified_queue = 64;

ending ending_of(call_outcome outcome) {
  switch (outcome) {
  case call_outcome::success:
    return ending::success;
  case call_outcome::failure:
    return ending::failure;
  case call_outcome::transient_failure:
    return ending::transient_failure;
  case call_outcome::cancelled:
    return ending::cancelled;
  }
  return ending::cancelled;
}

call_outcome outcome_of(ending e) {
  switch (e) {
  case ending::success:
    return call_outcome::success;
  case ending::failure:
    return call_outcome::failure;
  case ending::transient_failure:
    return call_outcome::transient_failure;
  case ending::timed_out:
  case ending::cancelled:
    break;
  }
  return call_outcome::cancelled;
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
      self->send(caf::actor_cast<caf::actor>(r.owner), position_atom::value, st.cfg.group.id,
                 static_cast<std::uint64_t>(ahead));
    }
    ++ahead;
  }
}

void grant(resource_self self, ticket t) {
  auto& r = self->state.requests.at(t);
  r.at = resource_state::phase::active;
  if (r.reply_tag) {
    self->send(caf::actor_cast<caf::actor>(r.owner), granted_atom::value, *r.reply_tag, t);
  } else {
    r.promise.deliver(t);
  }
}

void ask_upstream(resource_self self, ticket t, int priority) {
  self->send(self->state.cfg.upstream, acquire_atom::value, static_cast<std::int32_t>(priority), t);
}

// The upstream's answer to ask_upstream.
void on_upstream_grant(resource_self self, ticket t, ticket upstream_ticket) {
  auto found = self->state.requests.find(t);
  if (found == self->state.requests.end() || found->second.at != resource_state::phase::upstream) {
    // Withdrawn while upstream decided: hand the slot straight back.
    self->send(self->state.cfg.upstream, release_atom::value, upstream_ticket,
               call_outcome::cancelled);
    return;
  }
  found->second.upstream_ticket = upstream_ticket;
  grant(self, t);
}

void schedule_wake(resource_self self) {
  auto& st = self->state;
  auto until = st.backoff.paused_until();
  if (!until || st.is_wake_scheduled) {
    return;
  }
  st.is_wake_scheduled = true;
  auto delay = std::chrono::duration_cast<std::chrono::milliseconds>(*until - clock::now());
  self->delayed_send(self, std::max(delay, std::chrono::milliseconds{0}), wake_atom::value);
}

void try_admit(resource_self self) {
  auto& st = self->state;
  const auto now = clock::now();
  const auto gate = st.cfg.has_backoff ? st.backoff.current_gate(now) : error_backoff::gate::open;
  if (gate == error_backoff::gate::closed) {
    schedule_wake(self);
    return;
  }
  const bool is_probe = gate == error_backoff::gate::probe;
  auto admitted = st.queue->admit(now, is_probe ? 1 : SIZE_MAX);
  for (auto t : admitted) {
    if (is_probe) {
      st.backoff.probe_started();
      st.probe = t;
    }
    auto& r = st.requests.at(t);
    if (st.cfg.upstream) {
      r.at = resource_state::phase::upstream;
      ask_upstream(self, t, r.priority);
    } else {
      grant(self, t);
    }
  }
  st.peak_active = std::max<std::uint64_t>(st.peak_active, st.queue->active());
  if (!admitted.empty()) {
    notify_positions(self);
  }
}

// Queues a request from `owner`, answered by `r` (a promise or a reply tag).
void enqueue_request(resource_self self, caf::strong_actor_ptr owner, std::int32_t priority,
                     resource_state::request r) {
  auto& st = self->state;
  auto [owned, is_new_owner] = st.by_owner.try_emplace(caf::actor_cast<caf::actor_addr>(owner));
  if (is_new_owner) {
    self->monitor(owner);
  }
  const auto t = st.next_ticket++;
  owned->second.insert(t);
  r.owner = owner;
  r.priority = priority;
  st.requests.emplace(t, std::move(r));
  st.queue->enqueue(t, priority, clock::now());
  try_admit(self);
  notify_positions(self);
}

void count(resource_state& st, ending e) {
  switch (e) {
  case ending::success:
    ++st.completed;
    break;
  case ending::failure:
  case ending::transient_failure:
    ++st.failed;
    break;
  case ending::timed_out:
    ++st.timed_out;
    break;
  case ending::cancelled:
    ++st.cancelled;
    break;
  }
}

void end_request(resource_self self, ticket t, ending e) {
  auto& st = self->state;
  auto found = st.requests.find(t);
  if (found == st.requests.end()) {
    return; // already ended, by its release or its owner's exit
  }
  auto& r = found->second;
  const bool held_slot = r.at != resource_state::phase::waiting;
  if (held_slot) {
    st.queue->release(t);
  } else {
    st.queue->withdraw(t);
  }
  if (r.upstream_ticket) {
    self->send(st.cfg.upstream, release_atom::value, *r.upstream_ticket, outcome_of(e));
  }
  count(st, e);
  if (st.cfg.has_backoff && r.at == resource_state::phase::active) {
    if (e == ending::timed_out || e == ending::cancelled) {
      if (st.probe == t) {
        st.backoff.probe_abandoned();
      }
    } else {
      st.backoff.record(e == ending::transient_failure, clock::now());
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

group_statistics statistics_of(const resource_state& st) {
  group_statistics s;
  s.id = st.cfg.group.id;
  s.resource = std::string{definition::to_string(st.cfg.group.resource)};
  s.is_unlimited = st.queue->limit().is_unlimited();
  s.limit = s.is_unlimited ? 0 : st.queue->limit().max();
  s.is_auto_limit = st.cfg.group.is_auto_limit;
  s.active = st.queue->active();
  s.pending = st.queue->pending();
  s.peak_active = st.peak_active;
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
  auto me = caf::actor_cast<caf::actor>(self);
  self->state.cfg.probe->count_loaded(
      self->state.cfg.backend, [me](std::optional<int> loaded, std::string why) {
        caf::anon_send(me, loaded_atom::value, static_cast<std::int32_t>(loaded.value_or(-1)),
                       std::move(why));
      });
  self->delayed_send(self, self->state.cfg.backend.auto_refresh, refresh_atom::value);
}

} // namespace

caf::behavior resource_actor(caf::stateful_actor<resource_state>* self, resource_config cfg) {
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
    const auto e = msg.reason == caf::sec::request_timeout ? ending::timed_out : ending::cancelled;
    for (auto t : tickets) {
      end_request(self, t, e);
    }
  });
  if (st.cfg.group.is_auto_limit && st.cfg.probe) {
    self->send(self, refresh_atom::value);
  }
  return {
      [=](acquire_atom, std::int32_t priority) -> caf::result<ticket> {
        auto owner = self->current_sender(); // before the promise takes it over
        resource_state::request r;
        r.promise = self->make_response_promise<ticket>();
        auto promise = r.promise;
        enqueue_request(self, std::move(owner), priority, std::move(r));
        return promise;
      },
      [=](acquire_atom, std::int32_t priority, ticket tag) {
        resource_state::request r;
        r.reply_tag = tag;
        enqueue_request(self, self->current_sender(), priority, std::move(r));
      },
      [=](granted_atom, ticket t, ticket upstream_ticket) {
        on_upstream_grant(self, t, upstream_ticket);
      },
      [=](release_atom, ticket t, call_outcome outcome) {
        end_request(self, t, ending_of(outcome));
      },
      [=](limit_atom, bool is_unlimited, std::int32_t max) {
        self->state.queue->set_limit(is_unlimited ? definition::concurrency_limit::unlimited()
                                                  : definition::concurrency_limit::at_most(max));
        try_admit(self);
      },
      [=](stats_atom) { return statistics_of(self->state); },
      [=](can_run_atom) -> caf::result<bool> {
        auto& st = self->state;
        const bool here = st.queue->pending() == 0 && st.queue->has_free_slot() &&
                          (!st.cfg.has_backoff ||
                           st.backoff.current_gate(clock::now()) == error_backoff::gate::open);
        if (!here || !st.cfg.upstream) {
          return here;
        }
        auto answer = self->make_response_promise<bool>();
        self->request(st.cfg.upstream, caf::infinite, can_run_atom::value)
            .then([=](bool upstream_can_run) mutable { answer.deliver(upstream_can_run); },
                  [=](caf::error&) mutable { answer.deliver(false); });
        return answer;
      },
      [=](position_atom, const std::string&, std::uint64_t) {
        // Upstream's queue positions: what a resource actor waits for is its requesters'.
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
  cfg.add_message_type<group_statistics>("tutti.group_statistics");
}

} // namespace tutti::resources
