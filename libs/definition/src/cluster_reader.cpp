#include "cluster_reader.hpp"

#include <tutti/definition/server_url.hpp>

namespace tutti::definition {
namespace {

const std::string address_example = " (for example \"gpu-box:4242\", \"[::1]:4242\")";

std::optional<node_address> read_address(table_reader& reader, std::string_view key) {
  auto text = reader.non_empty_text(key);
  if (!text) {
    return std::nullopt;
  }
  auto address = parse_node_address(*text);
  if (!address) {
    reader.report_value(definition_errc::invalid_value, key,
                        "'" + *text + "' is no host:port" + address_example);
  }
  return address;
}

// shared_groups: group classes ("local-server") and server URLs, each group once.
void read_shared_groups(table_reader& reader, cluster_settings& out) {
  auto names = reader.text_list("shared_groups");
  if (!names) {
    return;
  }
  out.shared_classes.clear();
  for (const auto& name : *names) {
    if (auto c = parse_resource_class(name)) {
      out.shared_classes.push_back(*c);
    } else if (auto url = parse_server_url(name)) {
      out.shared_servers.push_back(url->identity());
    } else {
      reader.report_value(definition_errc::invalid_value, "shared_groups",
                          "'" + name +
                              "' is neither a group class (local-server, remote-server, "
                              "remote-api) nor a server URL (\"http://gpu-box:11434\")");
    }
  }
}

// [cluster.authorities]: server URL -> host:port. Two spellings of one server given to two
// nodes would make two authorities for one group: refused, naming both.
void read_authorities(table_reader& cluster, cluster_settings& out) {
  const auto* table = cluster.table("authorities");
  if (table == nullptr) {
    return;
  }
  std::map<std::string, std::string> first_spelling; // identity -> key that placed it
  for (const auto& [key, value] : *table) {
    const std::string server{key.str()};
    const std::string field = "cluster.authorities.\"" + server + "\"";
    auto report = [&](definition_errc code, std::string message) {
      cluster.problems().push_back(
          {code, location_in(cluster.file(), value.source()), field, std::move(message)});
    };
    auto url = parse_server_url(server);
    if (!url) {
      report(definition_errc::invalid_value,
             "'" + server + "' is no server URL (\"http://gpu-box:11434\")");
      continue;
    }
    const auto* text = value.as_string();
    auto address = text ? parse_node_address(text->get()) : std::nullopt;
    if (!address) {
      report(definition_errc::invalid_value, "must be the host:port of the node that holds this "
                                             "server's group" +
                                                 address_example);
      continue;
    }
    auto [placed, is_new] = out.authorities.emplace(url->identity(), *address);
    if (!is_new && placed->second != *address) {
      report(definition_errc::conflicting_fields,
             "'" + server + "' and '" + first_spelling[url->identity()] +
                 "' are one server, claimed by two authorities (" + address->text() + " and " +
                 placed->second.text() + "); give it one");
    }
    first_spelling.try_emplace(url->identity(), server);
  }
}

} // namespace

void read_cluster(table_reader& reader, cluster_settings& out) {
  out.authority = read_address(reader, "authority");
  read_shared_groups(reader, out);
  read_authorities(reader, out);
  if (auto timeout = reader.seconds("authority_timeout_seconds")) {
    out.authority_timeout = *timeout;
  }
  const auto folder = std::filesystem::path{reader.file()}.parent_path();
  for (auto [key, path] : {std::pair{"tls_certificate", &out.tls_certificate},
                           std::pair{"tls_key", &out.tls_key}, std::pair{"tls_ca", &out.tls_ca}}) {
    if (auto text = reader.non_empty_text(key)) {
      *path = folder / *text; // an absolute path stays so
    }
  }
  reader.report_unknown_keys();
}

} // namespace tutti::definition
