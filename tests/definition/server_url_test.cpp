#include <tutti/definition/server_url.hpp>

#include <catch2/catch.hpp>

using tutti::definition::parse_server_url;

TEST_CASE("an endpoint is canonical: scheme, host and port, the path left out") {
  auto e = parse_server_url("HTTPS://API.Example.com./v1/chat");
  REQUIRE(e);
  CHECK(e->scheme == "https");
  CHECK(e->host == "api.example.com");
  CHECK(e->port == 443);
  CHECK_FALSE(e->is_loopback);
  CHECK(e->identity() == "https://api.example.com:443");
  CHECK(parse_server_url("http://10.0.0.5:8000/v1")->identity() == "http://10.0.0.5:8000");
  CHECK(parse_server_url("http://[2001:DB8::1]:80")->identity() == "http://[2001:db8::1]:80");
  CHECK(parse_server_url("http://0x0a.0.0.5:8000")->identity() == "http://10.0.0.5:8000");
}

TEST_CASE("every loopback spelling is one endpoint") {
  for (const char* url :
       {"http://localhost:11434", "http://LOCALHOST:11434/", "http://localhost.:11434",
        "http://127.0.0.1:11434/v1", "http://127.1:11434", "http://127.0.0.2:11434",
        "http://2130706433:11434", "http://[::1]:11434", "http://[::ffff:127.0.0.1]:11434",
        "http://0.0.0.0:11434", "http://[::]:11434", "http://api.localhost:11434"}) {
    INFO(url);
    auto e = parse_server_url(url);
    REQUIRE(e);
    CHECK(e->is_loopback);
    CHECK(e->identity() == "http://localhost:11434");
  }
}

TEST_CASE("what is no http(s) URL has no endpoint") {
  CHECK_FALSE(parse_server_url(""));
  CHECK_FALSE(parse_server_url("not a url"));
  CHECK_FALSE(parse_server_url("ftp://localhost:21"));
  CHECK_FALSE(parse_server_url("http://localhost:0"));
  CHECK_FALSE(parse_server_url("http://localhost:99999"));
  CHECK_FALSE(parse_server_url("http://[::1"));
  CHECK_FALSE(parse_server_url("http://:80"));
  CHECK_FALSE(parse_server_url("http://a b:80"));
}

TEST_CASE("a name that starts like an address is a name, with its port") {
  auto u = parse_server_url("http://127.0.0.1.nip.io:11434/v1");
  REQUIRE(u);
  CHECK_FALSE(u->is_loopback);
  CHECK(u->host == "127.0.0.1.nip.io");
  CHECK(u->port == 11434);
  CHECK(u->path == "/v1");
}

TEST_CASE("the Host header keeps a port that is not the default") {
  CHECK(parse_server_url("http://127.0.0.1:18004/v1")->host_header() == "127.0.0.1:18004");
  CHECK(parse_server_url("http://127.0.0.1:80/v1")->host_header() == "127.0.0.1");
  CHECK(parse_server_url("https://[::1]:8443")->host_header() == "[::1]:8443");
  CHECK(parse_server_url("https://user:pw@example.com")->host_header() == "example.com");
}
