// The server over real sockets on 127.0.0.1: streams, the OpenAI endpoint, and clients that
// send too much, too little, too slowly or garbage.
#include "server/served_library.hpp"
#include "support/eventually.hpp"
#include "support/http_fetch.hpp"

#include <tutti/mock_server/mock_server.hpp>
#include <tutti/server/http_server.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace tutti;
using tutti::test::eventually;
using tutti::test::http_fetch;
using tutti::test::served_library;
using json = nlohmann::json;
namespace asio = boost::asio;

namespace {

server::http_settings loopback_settings() {
  server::http_settings s;
  s.port = 0;
  s.header_timeout = std::chrono::milliseconds{300};
  s.body_timeout = std::chrono::milliseconds{300};
  s.max_body_bytes = 64 * 1024;
  return s;
}

struct running_server {
  explicit running_server(served_library& lib, server::http_settings s = loopback_settings())
      : http(lib.service(), std::move(s)), url("http://127.0.0.1:" + std::to_string(http.port())),
        fetch(url) {}
  server::http_server http;
  std::string url;
  http_fetch fetch;
};

// What the server sends to a raw connection that sends `bytes` (then waits for the close).
std::string raw_exchange(std::uint16_t port, const std::string& bytes) {
  asio::io_context io;
  asio::ip::tcp::socket socket{io};
  socket.connect({asio::ip::make_address("127.0.0.1"), port});
  asio::write(socket, asio::buffer(bytes));
  std::string answer;
  boost::system::error_code ec;
  asio::read(socket, asio::dynamic_buffer(answer), ec);
  return answer;
}

// The data lines of an SSE body.
std::vector<std::string> data_of(const std::string& body) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while ((at = body.find("data: ", at)) != std::string::npos) {
    auto end = body.find('\n', at);
    out.push_back(body.substr(at + 6, end - at - 6));
    at = end;
  }
  return out;
}

} // namespace

TEST_CASE("a run's events stream ends with its end, and a reconnect resumes after the last seen") {
  served_library lib;
  running_server s{lib};
  auto posted = s.fetch("POST", "/v1/runs", R"({"ensemble": "quick", "input": "tea"})");
  REQUIRE(posted.status == 201);
  const auto id = json::parse(posted.body).at("id").get<std::string>();
  auto stream = s.fetch("GET", "/v1/runs/" + id + "/events");
  REQUIRE(stream.status == 200);
  auto events = data_of(stream.body);
  REQUIRE(events.size() > 6);
  CHECK(json::parse(events.back()).at("kind") == "run_finished");
  CHECK(json::parse(events.back()).at("status") == "completed");
  CHECK(json::parse(events.front()).at("kind") == "queued");
  std::size_t finished = 0;
  for (const auto& e : events) {
    finished += json::parse(e).at("kind") == "finished" ? 1 : 0;
  }
  CHECK(finished == 3);
  auto resumed = s.fetch("GET", "/v1/runs/" + id + "/events", {},
                         {{"Last-Event-ID", std::to_string(events.size() - 2)}});
  CHECK(data_of(resumed.body) == std::vector<std::string>{events.back()});
}

TEST_CASE("a chat completion answers the final agent's output with usage, whole or streamed") {
  served_library lib;
  running_server s{lib};
  const std::string ask =
      R"({"model": "ensemble/quick", "messages": [{"role": "system", "content": "be brief"},
          {"role": "user", "content": "what is tea"}]})";
  auto whole = s.fetch("POST", "/v1/chat/completions", ask);
  REQUIRE(whole.status == 200);
  auto reply = json::parse(whole.body);
  CHECK(reply.at("object") == "chat.completion");
  CHECK(reply.at("model") == "ensemble/quick");
  const auto content = reply.at("choices")[0].at("message").at("content").get<std::string>();
  CHECK(content.find("[judge]") == 0);
  CHECK(reply.at("usage").at("total_tokens").get<int>() > 0);
  auto streamed =
      s.fetch("POST", "/v1/chat/completions",
              R"({"model": "quick", "stream": true, "stream_options": {"include_usage": true},
          "messages": [{"role": "user", "content": "what is tea"}]})");
  REQUIRE(streamed.status == 200);
  auto chunks = data_of(streamed.body);
  REQUIRE(chunks.size() > 3);
  CHECK(chunks.back() == "[DONE]");
  std::string text;
  bool stopped = false;
  bool usage = false;
  for (std::size_t i = 0; i + 1 < chunks.size(); ++i) {
    auto c = json::parse(chunks[i]);
    CHECK(c.at("object") == "chat.completion.chunk");
    if (c.contains("usage")) {
      usage = c.at("usage").at("total_tokens").get<int>() > 0;
    } else {
      text += c.at("choices")[0].at("delta").value("content", "");
      stopped = stopped || c.at("choices")[0].at("finish_reason") == "stop";
    }
  }
  CHECK(text == content);
  CHECK(stopped);
  CHECK(usage);
}

TEST_CASE("a client that leaves a chat completion cancels the run it started") {
  served_library lib{{}, 5000};
  running_server s{lib};
  {
    asio::io_context io;
    asio::ip::tcp::socket socket{io};
    socket.connect({asio::ip::make_address("127.0.0.1"), s.http.port()});
    const std::string body = R"({"model": "slow", "messages": [{"role": "user", "content": "x"}]})";
    asio::write(socket, asio::buffer("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\n"
                                     "Content-Type: application/json\r\nContent-Length: " +
                                     std::to_string(body.size()) + "\r\n\r\n" + body));
    REQUIRE(eventually([&] { return lib.service().pending() == 1; }));
  }
  REQUIRE(eventually([&] { return lib.service().pending() == 0; }));
  CHECK(lib.service().runs().at(0)->snapshot().status == engine::run_status::cancelled);
}

TEST_CASE("too large, malformed and too slow requests get an error or a close, and the server "
          "serves on") {
  served_library lib;
  running_server s{lib};
  auto large = s.fetch("POST", "/v1/runs", std::string(70 * 1024, 'x'));
  CHECK(large.status == 413);
  auto garbage = raw_exchange(s.http.port(), "NONSENSE\r\n\r\n");
  CHECK(garbage.rfind("HTTP/1.1 400", 0) == 0);
  auto oversized_headers =
      raw_exchange(s.http.port(), "GET / HTTP/1.1\r\nX: " + std::string(20'000, 'a') + "\r\n\r\n");
  CHECK(oversized_headers.rfind("HTTP/1.1 431", 0) == 0);
  // Half a request, never finished: closed after the header deadline, with nothing sent.
  CHECK(raw_exchange(s.http.port(), "GET /healthz HTTP/1.1\r\nHost:").empty());
  // A body promised and never sent: closed after the body deadline.
  CHECK(raw_exchange(s.http.port(),
                     "POST /v1/runs HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
            .empty());
  auto health = s.fetch("GET", "/healthz");
  CHECK(health.status == 200);
  CHECK(lib.service().runs().empty());
}

TEST_CASE("listening beyond loopback needs a token") {
  served_library lib;
  auto settings = loopback_settings();
  settings.host = "0.0.0.0";
  CHECK_THROWS_AS(server::http_server(lib.service(), settings), server::start_error);
  settings.token = "t";
  server::http_server with_token{lib.service(), settings};
  CHECK(with_token.port() != 0);
  CHECK(server::is_loopback_host("127.0.0.1"));
  CHECK(server::is_loopback_host("::1"));
  CHECK(server::is_loopback_host("localhost"));
  CHECK_FALSE(server::is_loopback_host("192.168.1.4"));
}

TEST_CASE("a run cancelled through DELETE closes its backend connection") {
  mock_server::server backend;
  served_library lib{{},
                     300,
                     "[backends.remote]\nprovider = \"openai\"\nbase_url = \"" +
                         backend.base_url() + "\"\n",
                     {{"hang", "name = \"hang\"\n[[agents]]\nname = \"waits\"\nbackend = "
                               "\"remote\"\nmodel = \"silent\"\n"}}};
  running_server s{lib};
  auto posted = s.fetch("POST", "/v1/runs", R"({"ensemble": "hang", "input": "x"})");
  REQUIRE(posted.status == 201);
  const auto id = json::parse(posted.body).at("id").get<std::string>();
  REQUIRE(eventually([&] { return backend.of_model("silent").in_flight == 1; }));
  CHECK(s.fetch("DELETE", "/v1/runs/" + id).status == 202);
  CHECK(eventually([&] { return backend.abandoned() == 1; }));
  lib.service().find(id)->wait();
  CHECK(json::parse(s.fetch("GET", "/v1/runs/" + id).body).at("status") == "cancelled");
}
