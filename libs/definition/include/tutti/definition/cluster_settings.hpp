// Which resource groups a node takes from other nodes' authorities, and how it reaches them:
// [cluster] in tutti.toml. Pure: reads text, connects nothing.
#pragma once

#include <tutti/definition/resource_class.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tutti::definition {

/// Where a node publishes its resource authority: "gpu-box:4242", "[::1]:4242".
struct node_address {
  std::string host; // IPv6 unbracketed
  std::uint16_t port = 0;

  /// "host:port", with brackets around an IPv6 host.
  std::string text() const;
  friend bool operator==(const node_address&, const node_address&) = default;
};

/// "host:port" with a port of 1..65535; nullopt for anything else.
std::optional<node_address> parse_node_address(std::string_view text);

struct cluster_settings {
  /// The authority of every shared group that `authorities` does not place elsewhere.
  std::optional<node_address> authority;
  /// Server identity (see server_url::identity) -> the node that holds its group.
  std::map<std::string, node_address> authorities;
  /// Which groups are shared: by class, and by server identity whatever their class.
  std::vector<resource_class> shared_classes{resource_class::local_server,
                                             resource_class::remote_server};
  std::vector<std::string> shared_servers;
  /// How long a node's waiting requests outlive the loss of their authority.
  std::chrono::milliseconds authority_timeout = std::chrono::seconds{10};
  /// How long a node waits for one answer of its authority (a connection, a TLS handshake, a
  /// group): as long as a lost authority, but never under 5 s, which a loaded machine needs.
  std::chrono::milliseconds answer_within() const {
    return std::max<std::chrono::milliseconds>(authority_timeout, std::chrono::seconds{5});
  }
  /// TLS between nodes (--cluster-tls): this node's certificate and key, and the CA that must
  /// have signed every peer's certificate.
  std::optional<std::filesystem::path> tls_certificate;
  std::optional<std::filesystem::path> tls_key;
  std::optional<std::filesystem::path> tls_ca;

  /// The node that holds the group of the server `identity` (of class `resource`), or nullopt
  /// when that group is this node's own.
  std::optional<node_address> authority_for(const std::string& identity,
                                            resource_class resource) const;

  friend bool operator==(const cluster_settings&, const cluster_settings&) = default;
};

} // namespace tutti::definition
