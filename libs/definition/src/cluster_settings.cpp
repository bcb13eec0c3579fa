#include <tutti/definition/cluster_settings.hpp>

#include <algorithm>
#include <charconv>

namespace tutti::definition {

std::string node_address::text() const {
  const bool is_ipv6 = host.find(':') != std::string::npos;
  return (is_ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::optional<node_address> parse_node_address(std::string_view text) {
  node_address out;
  std::string_view port;
  if (text.starts_with('[')) {
    auto close = text.find("]:");
    if (close == std::string_view::npos) {
      return std::nullopt;
    }
    out.host = std::string{text.substr(1, close - 1)};
    port = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos || text.find(':') != colon) {
      return std::nullopt; // no port, or an IPv6 address without brackets
    }
    out.host = std::string{text.substr(0, colon)};
    port = text.substr(colon + 1);
  }
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (out.host.empty() || port.empty() || ec != std::errc{} || end != port.data() + port.size() ||
      value == 0 || value > 65535) {
    return std::nullopt;
  }
  out.port = static_cast<std::uint16_t>(value);
  return out;
}

std::optional<node_address> cluster_settings::authority_for(const std::string& identity,
                                                            resource_class resource) const {
  if (auto mapped = authorities.find(identity); mapped != authorities.end()) {
    return mapped->second;
  }
  const bool is_shared =
      std::find(shared_classes.begin(), shared_classes.end(), resource) != shared_classes.end() ||
      std::find(shared_servers.begin(), shared_servers.end(), identity) != shared_servers.end();
  if (!is_shared) {
    return std::nullopt;
  }
  return authority;
}

} // namespace tutti::definition
