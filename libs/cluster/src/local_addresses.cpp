#include "local_addresses.hpp"

#include <tutti/definition/server_url.hpp>

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <set>

namespace tutti::cluster {
namespace {

std::string numeric(const sockaddr* address) {
  char text[INET6_ADDRSTRLEN] = {};
  if (address->sa_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(address)->sin_addr, text, sizeof text);
  } else if (address->sa_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr, text,
              sizeof text);
  }
  return text;
}

std::set<std::string> interface_addresses() {
  std::set<std::string> out;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) {
    return out;
  }
  for (auto* i = list; i != nullptr; i = i->ifa_next) {
    if (i->ifa_addr != nullptr) {
      out.insert(numeric(i->ifa_addr));
    }
  }
  freeifaddrs(list);
  return out;
}

bool is_loopback_address(const sockaddr* address) {
  if (address->sa_family == AF_INET) {
    const auto a = ntohl(reinterpret_cast<const sockaddr_in*>(address)->sin_addr.s_addr);
    return (a >> 24) == 127;
  }
  if (address->sa_family == AF_INET6) {
    const auto& a = reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr;
    return IN6_IS_ADDR_LOOPBACK(&a) != 0 || (IN6_IS_ADDR_V4MAPPED(&a) != 0 && a.s6_addr[12] == 127);
  }
  return false;
}

} // namespace

bool is_loopback_only(const std::string& host) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (host.empty() || getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0) {
    return false;
  }
  bool is_loopback = true;
  for (auto* a = found; a != nullptr; a = a->ai_next) {
    is_loopback = is_loopback && is_loopback_address(a->ai_addr);
  }
  freeaddrinfo(found);
  return is_loopback;
}

bool is_this_machine(const std::string& host) {
  const bool is_ipv6 = host.find(':') != std::string::npos;
  if (auto url = definition::parse_server_url("http://" + (is_ipv6 ? "[" + host + "]" : host));
      url && url->is_loopback) {
    return true;
  }
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0) {
    return false;
  }
  const auto mine = interface_addresses();
  bool is_mine = false;
  for (auto* a = found; a != nullptr && !is_mine; a = a->ai_next) {
    is_mine = mine.count(numeric(a->ai_addr)) != 0;
  }
  freeaddrinfo(found);
  return is_mine;
}

} // namespace tutti::cluster
