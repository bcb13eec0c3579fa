// A cluster node: an engine whose actor system speaks CAF's network protocol. It publishes the
// resource groups it holds (its authority) to other nodes, and takes the groups that other
// nodes hold from them, so that one server has one admission queue however many processes and
// machines send it requests. Plain C++: CAF stays inside the library.
#pragma once

#include <tutti/definition/backend_spec.hpp>
#include <tutti/definition/cluster_settings.hpp>
#include <tutti/engine/engine.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tutti::cluster {

/// The protocol nodes speak; nodes of another version refuse each other at connect.
extern const char* const protocol_version;

struct node_settings {
  definition::cluster_settings cluster; // [cluster]; `authority` set by --authority
  bool tls = false;                     // --cluster-tls: the files of cluster.tls_*
};

/// Why these settings cannot make a node (TLS asked without its files, a file missing); empty
/// when they can.
std::vector<std::string> check(const node_settings& settings);

/// Makes the engine built with `options` a node: the network layer (TLS when asked) and, for
/// every group the settings share, its authority's queue instead of one of its own.
void make_node(engine::engine_options& options, const node_settings& settings);

/// The engine's own groups, published to other nodes until this object is destroyed (which
/// must happen before the engine is).
class published_authority {
 public:
  /// Publishes at host:port (port 0: any free one); throws std::runtime_error saying why not.
  /// Beyond loopback it needs `tls`.
  published_authority(engine::engine& e, const std::string& host, std::uint16_t port, bool tls);
  ~published_authority();
  published_authority(const published_authority&) = delete;
  published_authority& operator=(const published_authority&) = delete;

  std::uint16_t port() const { return port_; }

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
  std::uint16_t port_ = 0;
};

/// Connects to every authority the settings name, checks that it speaks this protocol version
/// and holds the group of every server of `used` (the backends the node's runs will use) that
/// the settings place there; one message per authority that does not.
std::vector<std::string> reach_authorities(engine::engine& e, const node_settings& settings,
                                           const std::vector<definition::backend_spec>& used);

} // namespace tutti::cluster
