#include <tutti/definition/server_url.hpp>

#include <algorithm>
#include <arpa/inet.h>
#include <cctype>
#include <charconv>
#include <vector>

namespace tutti::definition {
namespace {

std::string lower(std::string_view text) {
  std::string out{text};
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// One part of a numeric IPv4 host: decimal, octal with a leading 0, or hex with 0x.
std::optional<std::uint64_t> numeric_part(std::string_view part) {
  int base = 10;
  if (part.size() > 2 && part[0] == '0' && (part[1] == 'x' || part[1] == 'X')) {
    base = 16;
    part.remove_prefix(2);
  } else if (part.size() > 1 && part[0] == '0') {
    base = 8;
    part.remove_prefix(1);
  }
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), value, base);
  if (part.empty() || ec != std::errc{} || end != part.data() + part.size()) {
    return std::nullopt;
  }
  return value;
}

// A host that resolvers read as an IPv4 address ("127.1", "0x7f.0.0.1", "2130706433"): one to
// four numeric parts, the last filling the remaining bytes. nullopt for a name.
std::optional<std::uint32_t> numeric_v4(std::string_view host) {
  std::vector<std::uint64_t> parts;
  for (std::size_t start = 0;;) {
    const auto dot = host.find('.', start);
    auto part = numeric_part(host.substr(start, dot - start));
    if (!part || parts.size() == 4) {
      return std::nullopt;
    }
    parts.push_back(*part);
    if (dot == std::string_view::npos) {
      break;
    }
    start = dot + 1;
  }
  std::uint64_t address = 0;
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    if (parts[i] > 0xff) {
      return std::nullopt;
    }
    address |= parts[i] << (24 - 8 * i);
  }
  if (parts.back() >> (32 - 8 * (parts.size() - 1)) != 0) {
    return std::nullopt;
  }
  return static_cast<std::uint32_t>(address | parts.back());
}

void set_v4(server_url& u, std::uint32_t a) {
  u.is_loopback = (a >> 24) == 127 || a == 0;
  u.host = std::to_string(a >> 24) + "." + std::to_string((a >> 16) & 0xff) + "." +
           std::to_string((a >> 8) & 0xff) + "." + std::to_string(a & 0xff);
}

bool set_v6(server_url& u, const std::string& text) {
  in6_addr a{};
  if (inet_pton(AF_INET6, text.c_str(), &a) != 1) {
    return false;
  }
  const auto* b = a.s6_addr;
  const bool is_v4_mapped =
      std::all_of(b, b + 10, [](auto x) { return x == 0; }) && b[10] == 0xff && b[11] == 0xff;
  if (is_v4_mapped) {
    set_v4(u, (std::uint32_t{b[12]} << 24) | (std::uint32_t{b[13]} << 16) |
                  (std::uint32_t{b[14]} << 8) | std::uint32_t{b[15]});
    return true;
  }
  const bool is_zero_but_last = std::all_of(b, b + 15, [](auto x) { return x == 0; });
  u.is_loopback = is_zero_but_last && (b[15] == 1 || b[15] == 0); // ::1 and ::
  char canonical[INET6_ADDRSTRLEN];
  u.host = inet_ntop(AF_INET6, &a, canonical, sizeof canonical);
  return true;
}

bool is_name(std::string_view host) {
  return std::all_of(host.begin(), host.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '.' || c == '_';
  });
}

// The host as a URL writes it: an IPv6 address in brackets.
std::string in_url(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

} // namespace

std::string server_url::identity() const {
  return scheme + "://" + (is_loopback ? std::string{"localhost"} : in_url(host)) + ":" +
         std::to_string(port);
}

std::string server_url::authority() const {
  return in_url(host) + ":" + std::to_string(port);
}

std::string server_url::host_header() const {
  const bool is_default = port == (scheme == "https" ? 443 : 80);
  return is_default ? in_url(host) : authority();
}

std::optional<server_url> parse_server_url(std::string_view url) {
  const auto colon = url.find("://");
  if (colon == std::string_view::npos) {
    return std::nullopt;
  }
  server_url u;
  u.scheme = lower(url.substr(0, colon));
  if (u.scheme != "http" && u.scheme != "https") {
    return std::nullopt;
  }
  auto rest = url.substr(colon + 3);
  const auto authority_end = std::min(rest.find_first_of("/?#"), rest.size());
  auto authority = rest.substr(0, authority_end);
  u.path = std::string{rest.substr(authority_end)};
  if (auto at = authority.rfind('@'); at != std::string_view::npos) {
    authority.remove_prefix(at + 1); // user information names no server
    u.has_userinfo = true;
  }
  std::string_view host = authority;
  std::string_view port;
  if (authority.starts_with('[')) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) {
      return std::nullopt;
    }
    host = authority.substr(1, close - 1);
    auto after = authority.substr(close + 1);
    if (!after.empty() && !after.starts_with(':')) {
      return std::nullopt;
    }
    port = after.empty() ? after : after.substr(1);
  } else if (auto c = authority.rfind(':'); c != std::string_view::npos) {
    host = authority.substr(0, c);
    port = authority.substr(c + 1);
  }
  u.port = u.scheme == "https" ? 443 : 80;
  if (!port.empty()) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc{} || end != port.data() + port.size() || value == 0 || value > 65535) {
      return std::nullopt;
    }
    u.port = static_cast<std::uint16_t>(value);
  }
  if (authority.starts_with('[')) {
    return set_v6(u, lower(host)) ? std::optional{u} : std::nullopt;
  }
  auto name = lower(host);
  while (!name.empty() && name.back() == '.') {
    name.pop_back();
  }
  if (name.empty() || !is_name(name)) {
    return std::nullopt;
  }
  if (auto v4 = numeric_v4(name)) {
    set_v4(u, *v4);
    return u;
  }
  u.host = name;
  u.is_loopback = name == "localhost" || name.ends_with(".localhost");
  return u;
}

} // namespace tutti::definition
