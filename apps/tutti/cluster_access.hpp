// How `tutti run` and `tutti serve` become cluster nodes: --authority and --cluster-tls on top
// of [cluster] in tutti.toml, checked before the engine starts, and every authority reached
// once it has, so that a wrong address or another version is an error at start.
#pragma once

#include "command_support.hpp"

#include <tutti/cluster/cluster_node.hpp>
#include <tutti/engine/engine.hpp>

#include <CLI/CLI.hpp>

#include <optional>
#include <string>

namespace tutti::cli {

struct cluster_choice {
  std::optional<std::string> authority; // --authority HOST:PORT
  bool tls = false;                     // --cluster-tls
};

/// Adds --authority and --cluster-tls to `cmd`.
void add_cluster_options(CLI::App* cmd, cluster_choice& choice);

/// The node this process is, if the configuration or the command line (or `publishes`, for a
/// server with --cluster-port) makes it one; `options` then make the engine that node. False,
/// with the error printed and the exit code set, when the settings cannot work.
bool configure_node(command_state& state, const definition::config& config,
                    const cluster_choice& choice, bool publishes, engine::engine_options& options,
                    std::optional<cluster::node_settings>& node);

/// Once the engine is made: every authority of `node` answers, speaks this version and holds
/// the groups of the servers `used` shares with it; false, with the errors printed and the
/// exit code set, when one does not.
bool reach_authorities_or_report(command_state& state, engine::engine& e,
                                 const std::optional<cluster::node_settings>& node,
                                 const std::vector<definition::backend_spec>& used);

} // namespace tutti::cli
