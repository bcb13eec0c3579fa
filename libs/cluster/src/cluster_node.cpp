#include "authority_actor.hpp"
#include "authority_protocol.hpp"
#include "remote_group_actor.hpp"

#include <tutti/cluster/cluster_node.hpp>
#include <tutti/definition/server_url.hpp>
#include <tutti/engine/actors.hpp>

#include <caf/io/all.hpp>
#include <caf/openssl/all.hpp>

#include <filesystem>
#include <map>
#include <stdexcept>

namespace tutti::cluster {

const char* const protocol_version = "tutti-cluster/1";

namespace {

caf::io::middleman_actor connector_of(caf::actor_system& system, bool tls) {
  return tls ? system.openssl_manager().actor_handle() : system.middleman().actor_handle();
}

// The groups of the servers the settings share, taken from their authorities.
class authority_groups : public engine::group_source {
 public:
  explicit authority_groups(node_settings settings) : settings_(std::move(settings)) {}

  std::optional<caf::actor> group_of(caf::actor_system& system, const resources::resource_group& g,
                                     const definition::backend_spec& backend) override {
    auto url = definition::parse_server_url(backend.base_url);
    if (!url || backend.provider == definition::provider_kind::mock) {
      return std::nullopt; // no server to share
    }
    auto authority = settings_.cluster.authority_for(url->identity(), g.resource);
    if (!authority) {
      return std::nullopt;
    }
    remote_group_config cfg;
    cfg.group_id = g.id;
    cfg.server = backend.base_url;
    if (backend.exclusive == definition::exclusivity::model) {
      cfg.model = g.id.substr(url->identity().size() + 1); // "<identity>/<model>"
    }
    cfg.resource = g.resource;
    cfg.authority = *authority;
    cfg.authority_timeout = settings_.cluster.authority_timeout;
    cfg.tls = settings_.tls;
    cfg.connector = caf::actor_cast<connector_type>(connector_of(system, settings_.tls));
    return caf::actor_cast<caf::actor>(system.spawn(remote_group_actor, std::move(cfg)));
  }

 private:
  node_settings settings_;
};

} // namespace

std::vector<std::string> check(const node_settings& settings) {
  std::vector<std::string> problems;
  if (!settings.tls) {
    return problems;
  }
  const auto& c = settings.cluster;
  for (auto [key, path] : {std::pair{"tls_certificate", &c.tls_certificate},
                           std::pair{"tls_key", &c.tls_key}, std::pair{"tls_ca", &c.tls_ca}}) {
    if (!*path) {
      problems.push_back(std::string{"--cluster-tls needs [cluster] "} + key +
                         " in tutti.toml (this node's certificate, its key, and the CA that "
                         "signed every node's certificate)");
    } else if (std::error_code ec; !std::filesystem::is_regular_file(**path, ec)) {
      problems.push_back(std::string{"[cluster] "} + key + ": " + (*path)->string() +
                         " is not a readable file");
    }
  }
  return problems;
}

void make_node(engine::engine_options& options, const node_settings& settings) {
  options.configure_actor_system = [settings](caf::actor_system_config& cfg) {
    cfg.load<caf::io::middleman>();
    // A node that vanishes without closing its connection (a cable, a firewall) is noticed
    // within seconds, not at the kernel's TCP timeout.
    cfg.set("middleman.heartbeat-interval", caf::timespan{std::chrono::seconds{1}});
    cfg.set("middleman.connection-timeout", caf::timespan{std::chrono::seconds{5}});
    if (settings.tls) {
      cfg.load<caf::openssl::manager>();
      cfg.set("openssl.certificate", settings.cluster.tls_certificate->string());
      cfg.set("openssl.key", settings.cluster.tls_key->string());
      cfg.set("openssl.cafile", settings.cluster.tls_ca->string());
    }
    announce_cluster_types(cfg);
  };
  options.shared_groups = std::make_shared<authority_groups>(settings);
}

struct published_authority::impl {
  caf::actor authority;
};

published_authority::published_authority(engine::engine& e, const std::string& host,
                                         std::uint16_t port, bool tls)
    : impl_(std::make_unique<impl>()) {
  auto& system = engine::actor_system_of(e);
  impl_->authority = system.spawn<caf::detached>(authority_actor, &e);
  auto published = tls ? caf::openssl::publish(impl_->authority, port, host.c_str(), true)
                       : system.middleman().publish(impl_->authority, port, host.c_str(), true);
  if (!published) {
    caf::anon_send_exit(impl_->authority, caf::exit_reason::user_shutdown);
    throw std::runtime_error("cannot publish the resource authority at " +
                             definition::node_address{host, port}.text() + ": " +
                             system.render(published.error()));
  }
  port_ = *published;
}

published_authority::~published_authority() {
  caf::anon_send_exit(impl_->authority, caf::exit_reason::user_shutdown);
}

std::vector<std::string> reach_authorities(engine::engine& e, const node_settings& settings) {
  std::map<std::string, definition::node_address> authorities;
  if (settings.cluster.authority) {
    authorities.emplace(settings.cluster.authority->text(), *settings.cluster.authority);
  }
  for (const auto& [server, node] : settings.cluster.authorities) {
    authorities.emplace(node.text(), node);
  }
  auto& system = engine::actor_system_of(e);
  caf::scoped_actor self{system};
  std::vector<std::string> problems;
  for (const auto& [text, node] : authorities) {
    const auto timeout = std::chrono::seconds{5};
    std::optional<std::string> problem;
    self->request(connector_of(system, settings.tls), timeout, caf::connect_atom::value, node.host,
                  node.port)
        .receive(
            [&](caf::node_id&, caf::strong_actor_ptr& found, std::set<std::string>&) {
              if (!found) {
                problem = "nothing is published there";
                return;
              }
              self->request(caf::actor_cast<caf::actor>(found), timeout, hello_atom::value,
                            std::string{protocol_version})
                  .receive(
                      [&](std::string& theirs) {
                        if (theirs != protocol_version) {
                          problem = "it speaks " + theirs + ", this node " + protocol_version +
                                    ": run one version of tutti on every node";
                        }
                      },
                      [&](caf::error& err) {
                        problem = "it does not speak " + std::string{protocol_version} + " (" +
                                  describe_failure(system, err, timeout, settings.tls) + ")";
                      });
            },
            [&](caf::error& err) {
              problem = describe_failure(system, err, timeout, settings.tls);
            });
    if (problem) {
      problems.push_back("cannot use the authority " + text + ": " + *problem);
    }
  }
  return problems;
}

} // namespace tutti::cluster
