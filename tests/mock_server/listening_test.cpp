// Where the mock server cannot listen, it says so in words: no Asio source paths.
#include <tutti/mock_server/mock_server.hpp>

#include <catch2/catch.hpp>

#include <stdexcept>

using namespace tutti;

TEST_CASE("a taken port or an address of another machine is an error that says which") {
  mock_server::server first;
  mock_server::server_settings taken;
  taken.port = first.port();
  CHECK_THROWS_WITH(mock_server::server{taken},
                    "port " + std::to_string(first.port()) + " is in use");
  mock_server::server_settings elsewhere;
  elsewhere.host = "198.51.100.77"; // TEST-NET-2: documentation only, no machine's
  CHECK_THROWS_WITH(mock_server::server{elsewhere}, "198.51.100.77 is no address of this machine");
}

TEST_CASE("an IPv6 address is bracketed in the URL, and a host name asks for an address") {
  mock_server::server_settings v6;
  v6.host = "::1";
  try {
    mock_server::server server{v6};
    CHECK(server.base_url() == "http://[::1]:" + std::to_string(server.port()));
  } catch (const std::runtime_error& no_ipv6) {
    WARN("no IPv6 loopback here: " << no_ipv6.what());
  }
  mock_server::server_settings named;
  named.host = "localhost";
  CHECK_THROWS_WITH(mock_server::server{named},
                    "--host localhost: give an IP address of this machine, such as 127.0.0.1 or "
                    "::1");
}
