// The HTTP provider over a raw loopback server: the call's time left bounds the exchange, and
// each failure comes back with the code that says what it was.
#include "support/raw_http_server.hpp"

#include <tutti/definition/environment.hpp>
#include <tutti/providers/http_client.hpp>
#include <tutti/providers/http_provider.hpp>
#include <tutti/providers/io_thread.hpp>

#include <catch2/catch.hpp>

#include <future>
#include <thread>

using namespace tutti::providers;
using namespace std::chrono_literals;
using tutti::test::http_response;
using tutti::test::raw_http_server;
using tutti::test::raw_request;

namespace {

using sender = std::function<bool(const std::string&)>;

completion_result
call(raw_http_server& server, std::chrono::milliseconds time_left,
     tutti::definition::provider_kind provider = tutti::definition::provider_kind::openai) {
  io_thread io;
  auto client = std::make_shared<http_client>(io);
  tutti::definition::backend_spec backend;
  backend.name = "b";
  backend.provider = provider;
  backend.base_url = server.base_url();
  http_provider p{backend, io, client, tutti::definition::fixed_environment({})};
  completion_request request;
  request.model = "m";
  request.prompt = "hi";
  request.time_left = time_left;
  std::promise<completion_result> result;
  p.start(request, {}, [&](completion_result r) { result.set_value(std::move(r)); });
  return result.get_future().get();
}

} // namespace

TEST_CASE("the call's time left is what the HTTP client waits, not its own defaults") {
  raw_http_server silent{[](const raw_request&, const sender&) {
    std::this_thread::sleep_for(1500ms);
    return false;
  }};
  auto r = call(silent, 200ms);
  CHECK(r.code == call_errc::timeout);
  CHECK_FALSE(r.is_success());
}

TEST_CASE("statuses become codes, and Retry-After comes back to the caller") {
  struct row {
    int status;
    call_errc code;
  };
  for (auto [status, code] : {row{429, call_errc::rate_limited}, row{503, call_errc::overloaded},
                              row{529, call_errc::overloaded}, row{500, call_errc::server_error},
                              row{401, call_errc::unauthorized}, row{404, call_errc::rejected}}) {
    INFO(status);
    raw_http_server server{[status = status](const raw_request&, const sender& send) {
      send(http_response(status, R"({"error":{"message":"no"}})", "Retry-After: 7\r\n"));
      return false;
    }};
    auto r = call(server, 5s);
    CHECK(r.code == code);
    CHECK(r.retry_after == std::chrono::milliseconds{7000});
    CHECK(r.error == "HTTP " + std::to_string(status) + " from backend 'b': no");
  }
}
