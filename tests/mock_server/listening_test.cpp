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
