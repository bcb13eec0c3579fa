// The resource actor: the one mailbox that admits requests to one concurrency group. Chained
// to an upstream resource actor (the engine-wide limit), it asks upstream only after its own
// group has admitted a request, so a request waiting for a busy local server never holds a
// slot that a remote request needs. This header exposes CAF; the engine API does not.
#pragma once

#include <tutti/resources/admission_queue.hpp>
#include <tutti/resources/error_backoff.hpp>
#include <tutti/resources/group_statistics.hpp>
#include <tutti/resources/loaded_models_probe.hpp>
#include <tutti/resources/resource_group.hpp>

#include <caf/all.hpp>

#include <memory>
#include <optional>
#include <unordered_map>
#include <unordered_set>

namespace tutti::resources {

using acquire_atom = caf::atom_constant<caf::atom("acquire")>;
using release_atom = caf::atom_constant<caf::atom("release")>;
using position_atom = caf::atom_constant<caf::atom("position")>;
using limit_atom = caf::atom_constant<caf::atom("limit")>;
using stats_atom = caf::atom_constant<caf::atom("stats")>;
using can_run_atom = caf::atom_constant<caf::atom("canrun")>;
using granted_atom = caf::atom_constant<caf::atom("granted")>;

/// How a call that held a slot ended; transient failures (connection errors, 5xx) count
/// toward the group's error backoff.
enum class call_outcome : std::int8_t { success, failure, transient_failure, cancelled };

struct resource_config {
  resource_group group;
  definition::backend_spec backend;
  bool has_backoff = true;
  bool notifies_positions = true;             // tell waiting requesters how many are ahead of them
  caf::actor upstream;                        // the engine-wide limit; none for that limit itself
  std::shared_ptr<loaded_models_probe> probe; // asked when group.is_auto_limit
};

struct resource_state {
  enum class phase : std::int8_t { waiting, upstream, active };
  struct request {
    caf::typed_response_promise<ticket> promise;
    std::optional<ticket> reply_tag; // answered with granted_atom rather than the promise
    caf::strong_actor_ptr owner;
    int priority = 5;
    phase at = phase::waiting;
    std::optional<ticket> upstream_ticket;
    std::optional<std::size_t> last_ahead;
  };

  resource_config cfg;
  std::optional<admission_queue> queue;
  error_backoff backoff;
  std::unordered_map<ticket, request> requests;
  std::unordered_map<caf::actor_addr, std::unordered_set<ticket>> by_owner;
  ticket next_ticket = 1;
  std::optional<ticket> probe;
  bool is_wake_scheduled = false;
  std::uint64_t peak_active = 0;
  std::uint64_t completed = 0;
  std::uint64_t failed = 0;
  std::uint64_t timed_out = 0;
  std::uint64_t cancelled = 0;
  std::string note;
  static inline const char* name = "tutti.resource";
};

/// Messages:
/// - `acquire_atom, int32 priority` -> `ticket` once admitted. While waiting (queues of up to
///   64), the requester gets `position_atom, group id, uint64 ahead` when its place changes.
/// - `acquire_atom, int32 priority, ticket tag`: the same for a chained group, answered by
///   `granted_atom, tag, ticket` as a message. A group may wait for thousands of slots, and
///   CAF 0.17 searches an actor's pending requests linearly.
/// - `release_atom, ticket, call_outcome`: the call has ended.
/// - `limit_atom, bool unlimited, int32 max`: a new limit, in force at once.
/// - `stats_atom` -> group_statistics; `can_run_atom` -> bool (admitted at once right now?).
/// A requester that exits gives back all it held: waiting requests are withdrawn, admitted
/// ones released, counted as timed out when it exited with sec::request_timeout.
caf::behavior resource_actor(caf::stateful_actor<resource_state>* self, resource_config cfg);

/// Registers the types the resource actors exchange.
void announce_resource_types(caf::actor_system_config& cfg);

} // namespace tutti::resources
