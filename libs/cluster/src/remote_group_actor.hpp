// A group that another node holds, as this node's engine sees it: the resource protocol of a
// group of its own, with the queue on the authority. It forwards each request under a tag of
// its own, so that the authority sees one requester per node and frees everything of a node
// that dies at once; it asks this node's caps itself once the authority admits, so no request
// waits across the network for a cap; and it carries the loss of the authority: waiting
// requests wait for it to come back up to `authority_timeout`, then fail saying so, and it
// reconnects as soon as the authority answers again.
#pragma once

#include <tutti/definition/cluster_settings.hpp>
#include <tutti/definition/resource_class.hpp>
#include <tutti/engine/resource_protocol.hpp>

#include <caf/all.hpp>

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace tutti::cluster {

using engine::ticket;

/// What connects to another node: CAF's middleman actor (or its TLS twin), or a test's
/// stand-in; only its connect message is used.
using connector_type =
    caf::typed_actor<caf::replies_to<caf::connect_atom, std::string, std::uint16_t>::with<
        caf::node_id, caf::strong_actor_ptr, std::set<std::string>>>;

struct remote_group_config {
  std::string group_id; // this node's id of the group
  std::string server;   // the server's URL as this node spells it
  std::string model;    // for a group per model, else empty
  definition::resource_class resource = definition::resource_class::local_server;
  definition::node_address authority;
  std::chrono::milliseconds authority_timeout = std::chrono::seconds{10};
  std::chrono::milliseconds retry_every = std::chrono::seconds{1};
  std::chrono::milliseconds answer_within = std::chrono::seconds{5};
  bool tls = false;
  connector_type connector;
};

using reconnect_atom = caf::atom_constant<caf::atom("reconnect")>;
/// `expire_atom, tag, connection`: request `tag` (0: the authority itself) has waited
/// authority_timeout with no authority, if `connection` is still the current one.
using expire_atom = caf::atom_constant<caf::atom("expire")>;

/// The resource protocol, and what the authority answers the proxy as their requester.
using remote_group_type = engine::resource_actor_type::extend<
    caf::reacts_to<engine::refused_atom, ticket, engine::call_report>,
    caf::reacts_to<engine::position_atom, ticket, std::string, std::uint64_t>,
    caf::reacts_to<reconnect_atom>, caf::reacts_to<expire_atom, ticket, std::uint64_t>>;

struct remote_group_state {
  // waiting: for the authority; capped: admitted there, waiting for caps[cap_tickets.size()];
  // active: admitted everywhere, calling.
  enum class phase : std::int8_t { waiting, capped, active };
  struct request {
    caf::actor owner;
    ticket owner_tag = 0;
    std::int32_t priority = 5;
    std::vector<caf::actor> caps;
    std::chrono::milliseconds may_wait{0};
    phase at = phase::waiting;
    std::optional<std::uint64_t> sent_on; // the connection the authority heard it on
    ticket remote_ticket = 0;
    std::vector<ticket> cap_tickets;
  };

  remote_group_config cfg;
  std::map<ticket, request> requests; // by this proxy's tag, in order of arrival
  std::unordered_map<caf::actor_addr, std::set<ticket>> by_owner;
  std::optional<engine::resource_actor_type> remote; // the authority's group, when connected
  std::uint64_t connection = 0;                      // counts connections and losses
  bool is_connecting = false;
  bool is_retry_scheduled = false;
  bool has_given_up = false; // unreachable for authority_timeout: new requests fail at once
  std::string last_error;    // why the authority cannot be used now
  ticket next_tag = 1;
  static inline const char* name = "tutti.remote_group";
};

remote_group_type::behavior_type
remote_group_actor(remote_group_type::stateful_pointer<remote_group_state> self,
                   remote_group_config cfg);

} // namespace tutti::cluster
