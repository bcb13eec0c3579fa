#include "authority_protocol.hpp"

#include <tutti/cluster/cluster_node.hpp>
#include <tutti/definition/duration_text.hpp>

namespace tutti::cluster {

void announce_cluster_types(caf::actor_system_config& cfg) {
  cfg.add_message_type<group_answer>("tutti.group_answer");
}

std::optional<std::string> version_mismatch(const std::string& theirs) {
  if (theirs == protocol_version) {
    return std::nullopt;
  }
  return "it speaks " + theirs + ", this node " + protocol_version +
         ": run one version of tutti on every node";
}

std::string no_hello(const std::string& why) {
  return "it does not speak " + std::string{protocol_version} + " (" + why + ")";
}

std::string describe_failure(caf::actor_system& system, const caf::error& e,
                             std::chrono::milliseconds answer_within, bool tls) {
  if (e == caf::sec::request_timeout) {
    return "no answer within " + definition::duration_text(answer_within);
  }
  if (e == caf::sec::cannot_connect_to_node) {
    return tls ? "cannot connect (nothing listens there, the host cannot be reached, or the "
                 "authority does not speak TLS: then drop --cluster-tls)"
               : "cannot connect (nothing listens there, or the host cannot be reached)";
  }
  if (tls && e == caf::sec::disconnect_during_handshake) {
    return "the TLS handshake failed: both nodes need certificates signed by the CA the other "
           "trusts ([cluster] tls_ca), and this must be the port of tutti serve --cluster-port "
           "--cluster-tls";
  }
  if (e == caf::sec::malformed_basp_message || e == caf::sec::unexpected_message ||
      e == caf::sec::disconnect_during_handshake) {
    return tls ? "what listens there is no tutti resource authority (give the port of tutti "
                 "serve --cluster-port, not its HTTP port)"
               : "what listens there is no tutti resource authority, or one that speaks TLS "
                 "(then give --cluster-tls; and the port of tutti serve --cluster-port, not its "
                 "HTTP port)";
  }
  if (e == caf::sec::state_not_serializable || e == caf::sec::unknown_type) {
    return "it speaks another version of the cluster protocol";
  }
  return system.render(e);
}

} // namespace tutti::cluster
