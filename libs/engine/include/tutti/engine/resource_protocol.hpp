// The resource actors' protocol: how a requester asks a group (or a cap) for a slot and gives
// it back. Public because other processes speak it too: a cluster node's requests reach the
// group of another node's engine through it (libs/cluster).
#pragma once

#include <tutti/providers/call_error.hpp>
#include <tutti/resources/admission_queue.hpp>
#include <tutti/resources/group_statistics.hpp>

#include <caf/all.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace tutti::engine {

using resources::ticket;

using acquire_atom = caf::atom_constant<caf::atom("acquire")>;
using release_atom = caf::atom_constant<caf::atom("release")>;
using position_atom = caf::atom_constant<caf::atom("position")>;
using limit_atom = caf::atom_constant<caf::atom("limit")>;
using stats_atom = caf::atom_constant<caf::atom("stats")>;
using can_run_atom = caf::atom_constant<caf::atom("canrun")>;
using granted_atom = caf::atom_constant<caf::atom("granted")>;
using refused_atom = caf::atom_constant<caf::atom("refused")>;
using wake_atom = caf::atom_constant<caf::atom("wake")>;
using refresh_atom = caf::atom_constant<caf::atom("refresh")>;
using loaded_atom = caf::atom_constant<caf::atom("loaded")>;
using withdraw_atom = caf::atom_constant<caf::atom("withdraw")>;

/// A request for a slot. `tag` comes back with the answer; `caps` are asked in order once this
/// group has admitted it (typed resource actors, carried as plain handles); `may_wait` is how
/// long the requester can wait at most (zero: no bound), so that a group whose server is down
/// refuses at once a request whose time would run out before the server is tried again.
struct slot_request {
  std::int32_t priority = 5;
  ticket tag = 0;
  std::vector<caf::actor> caps;
  std::chrono::milliseconds may_wait{0};
};

/// How a call that held a slot ended; the message only for failures.
struct call_report {
  providers::call_errc code = providers::call_errc::none;
  std::string error;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, slot_request& x) {
  return f(caf::meta::type_name("slot_request"), x.priority, x.tag, x.caps, x.may_wait);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, call_report& x) {
  return f(caf::meta::type_name("call_report"), x.code, x.error);
}

/// - `acquire_atom, slot_request`: answered, as messages to the sender, by
///   `granted_atom, tag, ticket` once admitted here and by every cap, or
///   `refused_atom, tag, call_report` when the group will not admit it in time. While
///   it waits (in queues of up to 64), the sender gets `position_atom, tag, group id, ahead`
///   when its place changes.
/// - `withdraw_atom, tag`: the sender no longer wants its request `tag`, admitted or not.
/// - `release_atom, ticket, call_report`: the call has ended; `ticket` 0 is ignored.
/// - `limit_atom, bool unlimited, int32 max`: a new limit, in force at once.
/// - `stats_atom` -> group_statistics; `can_run_atom` -> bool (admitted at once right now?).
/// The rest are the actor's own timers and answers.
/// A requester that exits gives back all it held: waiting requests are withdrawn, admitted
/// ones released as cancelled. A call that timed out is released as such, by its agent.
using resource_actor_type = caf::typed_actor<
    caf::reacts_to<acquire_atom, slot_request>, caf::reacts_to<granted_atom, ticket, ticket>,
    caf::reacts_to<release_atom, ticket, call_report>, caf::reacts_to<withdraw_atom, ticket>,
    caf::reacts_to<limit_atom, bool, std::int32_t>,
    caf::replies_to<stats_atom>::with<resources::group_statistics>,
    caf::replies_to<can_run_atom>::with<bool>, caf::reacts_to<wake_atom>,
    caf::reacts_to<refresh_atom>, caf::reacts_to<loaded_atom, std::int32_t, std::string>>;

/// Registers the types the resource actors exchange, on every node that speaks to them.
void announce_resource_types(caf::actor_system_config& cfg);

} // namespace tutti::engine
