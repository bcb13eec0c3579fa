// What a node says to another node's authority, the actor it publishes. Deliberately untyped
// (caf::actor): a typed handle would make CAF refuse a peer of another version with a message
// about interfaces; this way the peer hears "hello" first and says its version.
// - `hello_atom, version` -> the authority's version;
// - `group_atom, server URL, model` -> group_answer: the resource actor of the authority's
//   group for that server (model set for a group per model), or why there is none.
#pragma once

#include <caf/all.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace tutti::cluster {

using hello_atom = caf::atom_constant<caf::atom("hello")>;
using group_atom = caf::atom_constant<caf::atom("group")>;

struct group_answer {
  caf::actor group; // invalid when the authority holds no group for that server
  std::string error;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, group_answer& x) {
  return f(caf::meta::type_name("group_answer"), x.group, x.error);
}

/// Registers the protocol's types on a node.
void announce_cluster_types(caf::actor_system_config& cfg);

/// What a node says of an authority's answer to hello: nullopt when `theirs` is this node's
/// protocol version, else why they cannot work together.
std::optional<std::string> version_mismatch(const std::string& theirs);

/// What a node says of an authority that did not answer hello, `why` being the failure.
std::string no_hello(const std::string& why);

/// Why connecting to, or asking, another node failed, as a user reads it; `tls` when the
/// node speaks TLS, where a failed handshake is most often a certificate refused.
std::string describe_failure(caf::actor_system& system, const caf::error& e,
                             std::chrono::milliseconds answer_within, bool tls);

} // namespace tutti::cluster
