// The resource actor: the one mailbox that admits requests to one server (a resource group),
// and, with the same code, the caps above the groups (a run's max_concurrent_agents, the
// engine's max_concurrent_llm_calls). A request names the caps to ask once its group has
// admitted it, so a request waiting for a busy local server never holds a slot that a remote
// request needs. Its protocol is a typed actor: the compiler checks every message.
#pragma once

#include <tutti/providers/call_error.hpp>
#include <tutti/resources/admission_queue.hpp>
#include <tutti/resources/error_backoff.hpp>
#include <tutti/resources/group_statistics.hpp>
#include <tutti/resources/loaded_models_probe.hpp>
#include <tutti/resources/resource_group.hpp>

#include <caf/all.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <unordered_map>
#include <unordered_set>
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
///   `refused_atom, tag, call_errc, message` when the group will not admit it in time. While
///   it waits (in queues of up to 64), the sender gets `position_atom, group id, ahead` when
///   its place changes.
/// - `release_atom, ticket, call_report`: the call has ended; `ticket` 0 is ignored.
/// - `limit_atom, bool unlimited, int32 max`: a new limit, in force at once.
/// - `stats_atom` -> group_statistics; `can_run_atom` -> bool (admitted at once right now?).
/// The rest are the actor's own timers and answers.
/// A requester that exits gives back all it held: waiting requests are withdrawn, admitted
/// ones released as cancelled. A call that timed out is released as such, by its agent.
using resource_actor_type = caf::typed_actor<
    caf::reacts_to<acquire_atom, slot_request>, caf::reacts_to<granted_atom, ticket, ticket>,
    caf::reacts_to<release_atom, ticket, call_report>,
    caf::reacts_to<limit_atom, bool, std::int32_t>,
    caf::replies_to<stats_atom>::with<resources::group_statistics>,
    caf::replies_to<can_run_atom>::with<bool>, caf::reacts_to<wake_atom>,
    caf::reacts_to<refresh_atom>, caf::reacts_to<loaded_atom, std::int32_t, std::string>>;

struct resource_config {
  resources::resource_group group;
  definition::backend_spec backend;
  bool has_backoff = true;
  bool notifies_positions = true; // tell waiting requesters how many are ahead of them
  bool is_cap = false;            // a cap above the groups, not a server
  std::shared_ptr<resources::loaded_models_probe> probe; // asked when group.is_auto_limit
};

struct resource_state {
  // waiting: in this group's queue; capped: admitted here, waiting for caps[stage];
  // active: admitted everywhere, calling.
  enum class phase : std::int8_t { waiting, capped, active };
  struct request {
    ticket tag = 0;
    caf::strong_actor_ptr owner;
    int priority = 5;
    std::vector<caf::actor> caps;
    std::vector<ticket> cap_tickets; // one per cap that has granted
    std::optional<std::chrono::steady_clock::time_point> give_up_at;
    phase at = phase::waiting;
    std::optional<std::size_t> last_ahead;
  };

  resource_config cfg;
  std::optional<resources::admission_queue> queue;
  resources::error_backoff backoff;
  std::unordered_map<ticket, request> requests;
  std::unordered_map<caf::actor_addr, std::unordered_set<ticket>> by_owner;
  // Requests that ended while a cap was deciding: the cap to give its slot back to once it
  // grants (its grant comes without a sender).
  std::unordered_map<ticket, caf::actor> awaited_caps;
  ticket next_ticket = 1;
  std::optional<ticket> probe;
  std::string last_server_error; // what the last failure that paused the group said
  providers::call_errc last_server_errc = providers::call_errc::none;
  bool is_wake_scheduled = false;
  bool is_refusing = false;  // refuse_hopeless is ending requests
  std::uint64_t calling = 0; // requests in phase active
  std::uint64_t peak_calling = 0;
  std::uint64_t completed = 0;
  std::uint64_t failed = 0;
  std::uint64_t timed_out = 0;
  std::uint64_t cancelled = 0;
  std::string note;
  static inline const char* name = "tutti.resource";
};

resource_actor_type::behavior_type
resource_actor(resource_actor_type::stateful_pointer<resource_state> self, resource_config cfg);

/// Registers the types the resource actors exchange.
void announce_resource_types(caf::actor_system_config& cfg);

} // namespace tutti::engine
