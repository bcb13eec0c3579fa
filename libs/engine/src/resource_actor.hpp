// The resource actor: the one mailbox that admits requests to one server (a resource group),
// and, with the same code, the caps above the groups (a run's max_concurrent_agents, the
// engine's max_concurrent_llm_calls). A request names the caps to ask once its group has
// admitted it, so a request waiting for a busy local server never holds a slot that a remote
// request needs. Its protocol is a typed actor: the compiler checks every message.
#pragma once

#include <tutti/engine/resource_protocol.hpp>
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

} // namespace tutti::engine
