#include "authority_actor.hpp"
#include "authority_protocol.hpp"
#include "local_addresses.hpp"
#include "remote_group_actor.hpp"

#include <tutti/cluster/cluster_node.hpp>
#include <tutti/definition/server_url.hpp>
#include <tutti/engine/actors.hpp>
#include <tutti/resources/resource_group.hpp>

#include <caf/io/all.hpp>
#include <caf/openssl/all.hpp>
#include <openssl/ssl.h>

#include <filesystem>
#include <map>
#include <netdb.h>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

namespace tutti::cluster {

const char* const protocol_version = "tutti-cluster/1";

namespace {

// Whether OpenSSL can use the files as CAF will: a PEM certificate chain, its private key (the
// pair matching), and a PEM file of CA certificates.
std::optional<std::string> tls_files_problem(const std::filesystem::path& certificate,
                                             const std::filesystem::path& key,
                                             const std::filesystem::path& ca) {
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx{SSL_CTX_new(TLS_method()), SSL_CTX_free};
  if (!ctx) {
    return "cannot set up TLS (OpenSSL)";
  }
  if (SSL_CTX_use_certificate_chain_file(ctx.get(), certificate.c_str()) != 1) {
    return "[cluster] tls_certificate: " + certificate.string() +
           " is no PEM certificate (is it the key?)";
  }
  if (SSL_CTX_use_PrivateKey_file(ctx.get(), key.c_str(), SSL_FILETYPE_PEM) != 1) {
    return "[cluster] tls_key: " + key.string() + " is no PEM private key";
  }
  if (SSL_CTX_check_private_key(ctx.get()) != 1) {
    return "[cluster] tls_key: " + key.string() + " is not the key of " + certificate.string();
  }
  if (SSL_CTX_load_verify_locations(ctx.get(), ca.c_str(), nullptr) != 1) {
    return "[cluster] tls_ca: " + ca.string() + " holds no PEM CA certificate";
  }
  return std::nullopt;
}

caf::io::middleman_actor connector_of(caf::actor_system& system, bool tls) {
  return tls ? system.openssl_manager().actor_handle() : system.middleman().actor_handle();
}

// The node that holds the group of `backend`'s server, if another does. A loopback URL names
// this machine's own server: only an authority on this machine can hold its group.
std::optional<definition::node_address> authority_of(const node_settings& settings,
                                                     const definition::backend_spec& backend,
                                                     const resources::resource_group& g) {
  auto url = definition::parse_server_url(backend.base_url);
  if (!url || backend.provider == definition::provider_kind::mock) {
    return std::nullopt; // no server to share
  }
  auto authority = settings.cluster.authority_for(url->identity(), g.resource);
  if (!authority || (url->is_loopback && !is_this_machine(authority->host))) {
    return std::nullopt;
  }
  return authority;
}

// The groups of the servers the settings share, taken from their authorities.
class authority_groups : public engine::group_source {
 public:
  explicit authority_groups(node_settings settings) : settings_(std::move(settings)) {}

  std::optional<caf::actor> group_of(caf::actor_system& system, const resources::resource_group& g,
                                     const definition::backend_spec& backend) override {
    auto authority = authority_of(settings_, backend, g);
    if (!authority) {
      return std::nullopt;
    }
    auto url = definition::parse_server_url(backend.base_url);
    remote_group_config cfg;
    cfg.group_id = g.id;
    cfg.server = backend.base_url;
    if (backend.exclusive == definition::exclusivity::model) {
      cfg.model = g.id.substr(url->identity().size() + 1); // "<identity>/<model>"
    }
    cfg.resource = g.resource;
    cfg.authority = *authority;
    cfg.authority_timeout = settings_.cluster.authority_timeout;
    cfg.answer_within = settings_.cluster.answer_within();
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
  if (problems.empty()) {
    // CAF loads the files only at the first connection, and throws there: a node would die
    // then, or its peer hear nothing; they are tried now instead.
    if (auto unusable = tls_files_problem(*c.tls_certificate, *c.tls_key, *c.tls_ca)) {
      problems.push_back(*unusable);
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
  if (!tls && !is_loopback_only(host)) {
    // Any machine that reaches the port could take the groups' slots.
    throw std::runtime_error("--cluster-host " + host +
                             ": beyond loopback (wildcards too) the resource authority needs "
                             "--cluster-tls; certificates signed by one CA keep other machines "
                             "out");
  }
  auto& system = engine::actor_system_of(e);
  impl_->authority = system.spawn<caf::detached>(authority_actor, &e);
  auto published = tls ? caf::openssl::publish(impl_->authority, port, host.c_str(), true)
                       : system.middleman().publish(impl_->authority, port, host.c_str(), true);
  if (!published) {
    caf::anon_send_exit(impl_->authority, caf::exit_reason::user_shutdown);
    const auto why = published.error() == caf::sec::cannot_open_port
                         ? std::string{"the port is in use, or the address is not this machine's"}
                         : system.render(published.error());
    throw std::runtime_error("cannot publish the resource authority at " +
                             definition::node_address{host, port}.text() + ": " + why);
  }
  port_ = *published;
}

published_authority::~published_authority() {
  caf::anon_send_exit(impl_->authority, caf::exit_reason::user_shutdown);
}

namespace {

// Whether something accepts a plain TCP connection at host:port within two seconds.
bool accepts_tcp(const definition::node_address& node) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(node.host.c_str(), std::to_string(node.port).c_str(), &hints, &found) != 0) {
    return false;
  }
  bool accepted = false;
  for (auto* at = found; at != nullptr && !accepted; at = at->ai_next) {
    const int fd = socket(at->ai_family, at->ai_socktype, at->ai_protocol);
    if (fd < 0) {
      continue;
    }
    const timeval bound{2, 0};
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &bound, sizeof bound);
    accepted = connect(fd, at->ai_addr, at->ai_addrlen) == 0;
    close(fd);
  }
  freeaddrinfo(found);
  return accepted;
}

// A node's first word with an authority: connected, and speaking this version; or why not.

std::optional<std::string> greet(caf::scoped_actor& self, caf::actor_system& system,
                                 const definition::node_address& node, bool tls,
                                 std::chrono::milliseconds timeout, caf::actor& authority) {
  std::optional<std::string> problem;
  self->request(connector_of(system, tls), timeout, caf::connect_atom::value, node.host, node.port)
      .receive([&](caf::node_id&, caf::strong_actor_ptr& found,
                   std::set<std::string>&) { authority = caf::actor_cast<caf::actor>(found); },
               [&](caf::error& err) {
                 // CAF's TLS connect reports a refused certificate as a failed connection when
                 // the handshake fails before it returns (most often under load): a port that
                 // takes TCP says it was the handshake.
                 if (tls && err == caf::sec::cannot_connect_to_node && accepts_tcp(node)) {
                   err = caf::make_error(caf::sec::disconnect_during_handshake);
                 }
                 problem = describe_failure(system, err, timeout, tls);
               });
  if (problem || !authority) {
    return problem.value_or("nothing is published there");
  }
  self->request(authority, timeout, hello_atom::value, std::string{protocol_version})
      .receive([&](std::string& theirs) { problem = version_mismatch(theirs); },
               [&](caf::error& err) {
                 problem = no_hello(describe_failure(system, err, timeout, tls));
               });
  return problem;
}

} // namespace

std::vector<std::string> reach_authorities(engine::engine& e, const node_settings& settings,
                                           const std::vector<definition::backend_spec>& used) {
  // Every authority named, and the servers of `used` each one must hold.
  std::map<std::string, std::pair<definition::node_address, std::set<std::string>>> authorities;
  if (settings.cluster.authority) {
    authorities[settings.cluster.authority->text()].first = *settings.cluster.authority;
  }
  for (const auto& [server, node] : settings.cluster.authorities) {
    authorities[node.text()].first = node;
  }
  for (const auto& backend : used) {
    if (auto node = authority_of(settings, backend, resources::classify(backend));
        node && backend.exclusive != definition::exclusivity::model) {
      authorities[node->text()].second.insert(backend.base_url);
    }
  }
  auto& system = engine::actor_system_of(e);
  caf::scoped_actor self{system};
  std::vector<std::string> problems;
  for (const auto& [text, place] : authorities) {
    caf::actor authority;
    const auto timeout = settings.cluster.answer_within();
    auto problem = greet(self, system, place.first, settings.tls, timeout, authority);
    for (auto server = place.second.begin(); !problem && server != place.second.end(); ++server) {
      self->request(authority, timeout, group_atom::value, *server, std::string{})
          .receive(
              [&](group_answer& answer) {
                if (!answer.group) {
                  problem = answer.error;
                }
              },
              [&](caf::error& err) {
                problem = describe_failure(system, err, timeout, settings.tls);
              });
    }
    if (problem) {
      problems.push_back("cannot use the authority " + text + ": " + *problem);
    }
  }
  return problems;
}

} // namespace tutti::cluster
