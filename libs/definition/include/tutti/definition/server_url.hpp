// The server an http(s) URL reaches, read by hand rather than by Boost.URL: Boost 1.81 reads
// "http://127.0.0.1.nip.io:11434" as host 127.0.0.1 with no port. Its identity is canonical
// (scheme, host and port; every loopback form one), so that two spellings of one server are
// one resource group. Pure: parses text, resolves nothing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tutti::definition {

struct server_url {
  std::string scheme;     // "http" or "https", lower case
  std::string host;       // lower case, no trailing dot, IPv4 as a dotted quad, IPv6 unbracketed
  std::uint16_t port = 0; // the scheme's default when the URL has none
  std::string path;       // "/v1/", as written; may be empty
  bool is_loopback = false;
  bool has_userinfo = false; // "user:password@" before the host

  /// "http://localhost:11434": scheme, host and port, with "localhost" for every loopback
  /// address; the id of the server's resource group.
  std::string identity() const;
  /// "host:port" as connected to, for messages.
  std::string authority() const;
  /// The Host header: the host, and the port unless it is the scheme's default.
  std::string host_header() const;
};

/// The server of an http(s) URL with a host, or nullopt when it is not one. Loopback is decided
/// on the parsed address: 127.0.0.0/8 in any IPv4 spelling ("127.1", "0x7f.0.0.1"), ::1, the
/// IPv4-mapped forms of both, the unspecified addresses (a bind address that clients reach as
/// this machine), and the names "localhost" and "*.localhost".
std::optional<server_url> parse_server_url(std::string_view url);

} // namespace tutti::definition
