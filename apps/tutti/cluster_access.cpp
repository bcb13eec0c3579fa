#include "cluster_access.hpp"

#include "exit_code.hpp"

namespace tutti::cli {

void add_cluster_options(CLI::App* cmd, cluster_choice& choice) {
  cmd->add_option("--authority", choice.authority,
                  "Take the shared resource groups ([cluster] shared_groups: local and remote "
                  "servers by default) from the tutti serve --cluster-port at HOST:PORT");
  cmd->add_flag("--cluster-tls", choice.tls,
                "Speak TLS to other nodes, with [cluster] tls_certificate, tls_key and tls_ca");
}

bool configure_node(command_state& state, const definition::config& config,
                    const cluster_choice& choice, bool publishes, engine::engine_options& options,
                    std::optional<cluster::node_settings>& node) {
  cluster::node_settings settings{config.cluster, choice.tls};
  const auto& c = settings.cluster;
  if (!choice.tls && (c.tls_certificate || c.tls_key || c.tls_ca)) {
    state.ctx.err << "warning: [cluster] names TLS files but --cluster-tls is not given: nodes "
                     "speak plain TCP\n";
  }
  if (choice.authority) {
    auto address = definition::parse_node_address(*choice.authority);
    if (!address) {
      state.ctx.err << "error: --authority '" << *choice.authority
                    << "' is no host:port (for example gpu-box:4242, [::1]:4242)\n";
      state.exit_code = exit_code::invalid_input;
      return false;
    }
    settings.cluster.authority = address;
  }
  const bool joins = settings.cluster.authority || !settings.cluster.authorities.empty();
  if (!publishes && !joins) {
    if (choice.tls) {
      state.ctx.err << "error: --cluster-tls: this process is no cluster node (give "
                       "--authority, or [cluster] authority in tutti.toml)\n";
      state.exit_code = exit_code::invalid_input;
      return false;
    }
    return true;
  }
  if (auto problems = cluster::check(settings); !problems.empty()) {
    for (const auto& p : problems) {
      state.ctx.err << "error: " << p << '\n';
    }
    state.exit_code = exit_code::invalid_input;
    return false;
  }
  cluster::make_node(options, settings);
  node = std::move(settings);
  return true;
}

bool reach_authorities_or_report(command_state& state, engine::engine& e,
                                 const std::optional<cluster::node_settings>& node,
                                 const std::vector<definition::backend_spec>& used) {
  if (!node) {
    return true;
  }
  auto problems = cluster::reach_authorities(e, *node, used);
  for (const auto& p : problems) {
    state.ctx.err << "error: " << p << '\n';
  }
  if (!problems.empty()) {
    state.exit_code = exit_code::invalid_input;
  }
  return problems.empty();
}

} // namespace tutti::cli
