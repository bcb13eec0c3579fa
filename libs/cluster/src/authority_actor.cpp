#include "authority_actor.hpp"

#include "authority_protocol.hpp"
#include "local_addresses.hpp"

#include <tutti/cluster/cluster_node.hpp>
#include <tutti/definition/server_url.hpp>
#include <tutti/engine/actors.hpp>

namespace tutti::cluster {
namespace {

// The group of `server` as this machine spells its own servers: a URL that names this
// machine by a public name or address is the loopback URL of the same port.
group_answer answer_for(engine::engine& e, const std::string& server, const std::string& model) {
  if (auto group = engine::own_group_actor(e, server, model)) {
    return {*group, {}};
  }
  auto url = definition::parse_server_url(server);
  if (url && !url->is_loopback && is_this_machine(url->host)) {
    auto local = url->scheme + "://127.0.0.1:" + std::to_string(url->port);
    if (auto group = engine::own_group_actor(e, local, model)) {
      return {*group, {}};
    }
  }
  return {caf::actor{}, "this authority holds no group for " + server +
                            (model.empty() ? std::string{} : " (model " + model + ")") +
                            ": no backend of its configuration reaches that server, or another "
                            "node holds it"};
}

} // namespace

caf::behavior authority_actor(caf::event_based_actor*, engine::engine* e) {
  return {
      [](hello_atom, const std::string&) { return std::string{protocol_version}; },
      [e](group_atom, const std::string& server, const std::string& model) {
        return answer_for(*e, server, model);
      },
  };
}

} // namespace tutti::cluster
