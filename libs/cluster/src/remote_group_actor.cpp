#include "remote_group_actor.hpp"

#include "authority_protocol.hpp"

#include <tutti/cluster/cluster_node.hpp>
#include <tutti/definition/duration_text.hpp>

namespace tutti::cluster {
namespace {

using self_pointer = remote_group_type::stateful_pointer<remote_group_state>;
using engine::call_report;
using phase = remote_group_state::phase;
using providers::call_errc;

std::string where(const remote_group_state& st) {
  return "the authority " + st.cfg.authority.text() + " of " + st.cfg.server;
}

std::string describe(self_pointer self, const caf::error& e) {
  return describe_failure(self->system(), e, self->state.cfg.answer_within, self->state.cfg.tls);
}

void send_to_authority(self_pointer self, ticket tag, remote_group_state::request& r) {
  auto& st = self->state;
  engine::slot_request ask;
  ask.priority = r.priority;
  ask.tag = tag;
  ask.may_wait = r.may_wait;
  r.sent_on = st.connection;
  self->send(*st.remote, engine::acquire_atom::value, std::move(ask));
}

// What a request hears when the authority has been away for authority_timeout.
std::string gone_message(const remote_group_state& st) {
  return where(st) + " has not answered for " +
         definition::duration_text(st.cfg.authority_timeout) + " (" + st.last_error +
         "); is it running?";
}

// A request that waits with no authority to hear it fails if none comes back in time (tag 0:
// the node gives up on the authority, and fails new requests at once until it is back).
void expire_later(self_pointer self, ticket tag) {
  self->delayed_send(self, self->state.cfg.authority_timeout, expire_atom::value, tag,
                     self->state.connection);
}

// Ends a request here, giving back what it holds: its caps' slots, and its place or slot at
// the authority when the authority that admitted it is still the one connected.
void end_request(self_pointer self, ticket tag, const call_report& report) {
  auto& st = self->state;
  auto found = st.requests.find(tag);
  if (found == st.requests.end()) {
    return;
  }
  auto& r = found->second;
  for (std::size_t i = 0; i < r.cap_tickets.size(); ++i) {
    self->send(caf::actor_cast<engine::resource_actor_type>(r.caps[i]), engine::release_atom::value,
               r.cap_tickets[i], call_report{report.code, {}});
  }
  if (st.remote && r.sent_on == st.connection) {
    if (r.at == phase::waiting) {
      self->send(*st.remote, engine::withdraw_atom::value, tag);
    } else {
      self->send(*st.remote, engine::release_atom::value, r.remote_ticket, report);
    }
  }
  if (auto owned = st.by_owner.find(r.owner.address()); owned != st.by_owner.end()) {
    owned->second.erase(tag);
  }
  st.requests.erase(found);
}

// Tells the owner of a waiting request that it will not be admitted, and forgets it.
void refuse(self_pointer self, ticket tag, const std::string& why) {
  auto& st = self->state;
  auto found = st.requests.find(tag);
  if (found == st.requests.end()) {
    return;
  }
  caf::anon_send(found->second.owner, engine::refused_atom::value, found->second.owner_tag,
                 call_report{call_errc::server_down, why});
  end_request(self, tag, {call_errc::server_down, why});
}

void refuse_waiting(self_pointer self, const std::string& why) {
  std::vector<ticket> waiting;
  for (const auto& [tag, r] : self->state.requests) {
    if (r.at == phase::waiting && r.sent_on != self->state.connection) {
      waiting.push_back(tag);
    }
  }
  for (auto tag : waiting) {
    refuse(self, tag, why);
  }
}

// Asks the next cap of a request the authority admitted, or, past the last, grants it.
void advance(self_pointer self, ticket tag) {
  auto& r = self->state.requests.at(tag);
  if (r.cap_tickets.size() < r.caps.size()) {
    r.at = phase::capped;
    engine::slot_request ask;
    ask.priority = r.priority;
    ask.tag = tag;
    self->send(caf::actor_cast<engine::resource_actor_type>(r.caps[r.cap_tickets.size()]),
               engine::acquire_atom::value, std::move(ask));
    return;
  }
  r.at = phase::active;
  caf::anon_send(r.owner, engine::granted_atom::value, r.owner_tag, tag);
}

void retry_later(self_pointer self) {
  auto& st = self->state;
  if (!st.is_retry_scheduled) {
    st.is_retry_scheduled = true;
    self->delayed_send(self, st.cfg.retry_every, reconnect_atom::value);
  }
}

// The connection attempt failed; `is_final` when retrying cannot help these requests (the
// authority speaks another version, or holds no such group).
void connect_failed(self_pointer self, std::string why, bool is_final) {
  auto& st = self->state;
  st.is_connecting = false;
  st.last_error = std::move(why);
  if (is_final) {
    refuse_waiting(self, where(st) + ": " + st.last_error);
  }
  retry_later(self);
}

void connected(self_pointer self, engine::resource_actor_type group) {
  auto& st = self->state;
  st.is_connecting = false;
  st.has_given_up = false;
  st.last_error.clear();
  st.remote = group;
  ++st.connection;
  self->monitor(group);
  for (auto& [tag, r] : st.requests) {
    if (r.at == phase::waiting) {
      send_to_authority(self, tag, r); // in order of arrival, as they came
    }
  }
}

void ask_for_group(self_pointer self, caf::actor authority) {
  auto& cfg = self->state.cfg;
  self->request(authority, cfg.answer_within, group_atom::value, cfg.server, cfg.model)
      .then(
          [=](group_answer& answer) {
            if (!answer.group) {
              connect_failed(self, answer.error, true);
              return;
            }
            connected(self, caf::actor_cast<engine::resource_actor_type>(answer.group));
          },
          [=](caf::error& e) { connect_failed(self, describe(self, e), false); });
}

void connect(self_pointer self) {
  auto& st = self->state;
  if (st.remote || st.is_connecting) {
    return;
  }
  st.is_connecting = true;
  const auto& cfg = st.cfg;
  self->request(cfg.connector, cfg.answer_within, caf::connect_atom::value, cfg.authority.host,
                cfg.authority.port)
      .then(
          [=](caf::node_id&, caf::strong_actor_ptr& found, std::set<std::string>&) {
            if (!found) {
              connect_failed(self, "nothing is published there", false);
              return;
            }
            auto authority = caf::actor_cast<caf::actor>(found);
            self->request(authority, self->state.cfg.answer_within, hello_atom::value,
                          std::string{protocol_version})
                .then(
                    [=](std::string& theirs) {
                      if (auto mismatch = version_mismatch(theirs)) {
                        connect_failed(self, *mismatch, true);
                        return;
                      }
                      ask_for_group(self, authority);
                    },
                    [=](caf::error& e) {
                      connect_failed(self, no_hello(describe(self, e)), true);
                    });
          },
          [=](caf::error& e) { connect_failed(self, describe(self, e), false); });
}

void authority_lost(self_pointer self) {
  auto& st = self->state;
  st.remote.reset();
  ++st.connection;
  st.last_error = "the connection to it was lost";
  for (const auto& [tag, r] : st.requests) {
    if (r.at == phase::waiting) {
      expire_later(self, tag);
    }
  }
  expire_later(self, 0);
  connect(self);
}

void on_acquire(self_pointer self, engine::slot_request& ask) {
  auto& st = self->state;
  auto owner = caf::actor_cast<caf::actor>(self->current_sender());
  const auto tag = st.next_tag++;
  auto [owned, is_new_owner] = st.by_owner.try_emplace(owner.address());
  if (is_new_owner) {
    self->monitor(owner);
  }
  owned->second.insert(tag);
  remote_group_state::request r;
  r.owner = owner;
  r.owner_tag = ask.tag;
  r.priority = ask.priority;
  r.caps = std::move(ask.caps);
  r.may_wait = ask.may_wait;
  auto& placed = st.requests.emplace(tag, std::move(r)).first->second;
  if (st.remote) {
    send_to_authority(self, tag, placed);
    return;
  }
  if (st.has_given_up) {
    refuse(self, tag, gone_message(st));
    return;
  }
  expire_later(self, tag);
  connect(self);
}

// A grant from the authority (for a waiting request) or from a cap (for a capped one).
void on_granted(self_pointer self, ticket tag, ticket slot) {
  auto& st = self->state;
  auto found = st.requests.find(tag);
  if (found == st.requests.end() || found->second.at == phase::active) {
    // Ended meanwhile: the slot goes straight back to whoever lent it.
    self->send(caf::actor_cast<engine::resource_actor_type>(self->current_sender()),
               engine::release_atom::value, slot, call_report{call_errc::cancelled, {}});
    return;
  }
  auto& r = found->second;
  if (r.at == phase::waiting) {
    r.remote_ticket = slot;
  } else {
    r.cap_tickets.push_back(slot);
  }
  advance(self, tag);
}

resources::group_statistics offline_statistics(const remote_group_state& st) {
  resources::group_statistics s;
  s.id = st.cfg.group_id;
  s.resource = std::string{definition::to_string(st.cfg.resource)};
  for (const auto& [tag, r] : st.requests) {
    (r.at == phase::active ? s.active : s.pending) += 1;
  }
  s.backoff = "off";
  s.note = where(st) + ": " + (st.last_error.empty() ? std::string{"connecting"} : st.last_error);
  return s;
}

} // namespace

remote_group_type::behavior_type
remote_group_actor(remote_group_type::stateful_pointer<remote_group_state> self,
                   remote_group_config cfg) {
  self->state.cfg = std::move(cfg);
  self->set_down_handler([=](caf::down_msg& msg) {
    auto& st = self->state;
    if (st.remote && msg.source == st.remote->address()) {
      authority_lost(self);
      return;
    }
    auto owned = st.by_owner.find(msg.source);
    if (owned == st.by_owner.end()) {
      return;
    }
    auto tags = std::move(owned->second);
    st.by_owner.erase(owned);
    for (auto tag : tags) {
      end_request(self, tag, {call_errc::cancelled, {}});
    }
  });
  connect(self); // at once, so that statistics show the authority's view before any run
  expire_later(self, 0);
  return {
      [=](engine::acquire_atom, engine::slot_request& ask) { on_acquire(self, ask); },
      [=](engine::granted_atom, ticket tag, ticket slot) { on_granted(self, tag, slot); },
      [=](engine::release_atom, ticket tag, call_report& report) {
        end_request(self, tag, report);
      },
      [=](engine::withdraw_atom, ticket owner_tag) {
        auto& st = self->state;
        auto owned = st.by_owner.find(self->current_sender()->address());
        if (owned == st.by_owner.end()) {
          return;
        }
        for (auto tag : owned->second) {
          if (st.requests.at(tag).owner_tag == owner_tag) {
            end_request(self, tag, {call_errc::cancelled, {}});
            return;
          }
        }
      },
      [=](engine::limit_atom, bool is_unlimited, std::int32_t max) {
        if (self->state.remote) {
          self->send(*self->state.remote, engine::limit_atom::value, is_unlimited, max);
        }
      },
      [=](engine::stats_atom) -> caf::result<resources::group_statistics> {
        auto& st = self->state;
        if (!st.remote) {
          return offline_statistics(st);
        }
        auto promise = self->make_response_promise<resources::group_statistics>();
        self->request(*st.remote, st.cfg.answer_within, engine::stats_atom::value)
            .then(
                [=](resources::group_statistics& s) mutable {
                  s.id = self->state.cfg.group_id;
                  s.note = "held by the authority " + self->state.cfg.authority.text() +
                           (s.note.empty() ? std::string{} : "; " + s.note);
                  promise.deliver(std::move(s));
                },
                [=](caf::error&) mutable { promise.deliver(offline_statistics(self->state)); });
        return promise;
      },
      [=](engine::can_run_atom) -> caf::result<bool> {
        auto& st = self->state;
        if (!st.remote) {
          return false;
        }
        auto promise = self->make_response_promise<bool>();
        self->request(*st.remote, st.cfg.answer_within, engine::can_run_atom::value)
            .then([=](bool answer) mutable { promise.deliver(answer); },
                  [=](caf::error&) mutable { promise.deliver(false); });
        return promise;
      },
      [](engine::wake_atom) {},
      [](engine::refresh_atom) {},
      [](engine::loaded_atom, std::int32_t, std::string&) {},
      [=](engine::refused_atom, ticket tag, call_report& why) {
        auto found = self->state.requests.find(tag);
        if (found == self->state.requests.end()) {
          return;
        }
        caf::anon_send(found->second.owner, engine::refused_atom::value, found->second.owner_tag,
                       why);
        // The authority has ended it: nothing to give back there.
        found->second.sent_on.reset();
        end_request(self, tag, why);
      },
      [=](engine::position_atom, ticket tag, std::string&, std::uint64_t ahead) {
        auto found = self->state.requests.find(tag);
        if (found != self->state.requests.end()) {
          caf::anon_send(found->second.owner, engine::position_atom::value, found->second.owner_tag,
                         self->state.cfg.group_id, ahead);
        }
      },
      [=](reconnect_atom) {
        self->state.is_retry_scheduled = false;
        connect(self);
      },
      [=](expire_atom, ticket tag, std::uint64_t connection) {
        auto& st = self->state;
        if (tag == 0) {
          st.has_given_up = !st.remote && connection == st.connection;
          return;
        }
        auto found = st.requests.find(tag);
        if (found == st.requests.end() || found->second.at != phase::waiting ||
            connection != st.connection || st.remote) {
          return; // admitted, ended, or heard by an authority since
        }
        refuse(self, tag, gone_message(st));
      },
  };
}

} // namespace tutti::cluster
