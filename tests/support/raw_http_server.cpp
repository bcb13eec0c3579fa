#include "support/raw_http_server.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <mutex>
#include <thread>
#include <vector>

namespace tutti::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::string raw_request::header(const std::string& name) const {
  auto at = headers.find(name + ": ");
  if (at == std::string::npos) {
    return "";
  }
  at += name.size() + 2;
  return headers.substr(at, headers.find('\n', at) - at);
}

struct raw_http_server::impl {
  explicit impl(raw_handler h)
      : handler(std::move(h)), acceptor(io, {asio::ip::make_address("127.0.0.1"), 0}) {}

  void accept_loop() {
    while (true) {
      beast::error_code ec;
      tcp::socket socket{io};
      acceptor.accept(socket, ec);
      if (ec || is_stopping) {
        return;
      }
      ++accepted;
      std::lock_guard lock{mutex};
      sockets.push_back(std::make_shared<tcp::socket>(std::move(socket)));
      auto s = sockets.back();
      threads.emplace_back([this, s] {
        serve(*s);
        ++ended;
      });
    }
  }

  void serve(tcp::socket& socket) {
    beast::flat_buffer buffer;
    while (!is_stopping) {
      http::request<http::string_body> request;
      beast::error_code ec;
      http::read(socket, buffer, request, ec);
      if (ec) {
        return;
      }
      raw_request r;
      r.target = std::string{request.target()};
      r.body = request.body();
      for (const auto& field : request) {
        std::string name{field.name_string()};
        std::transform(name.begin(), name.end(), name.begin(), ::tolower);
        r.headers += name + ": " + std::string{field.value()} + "\n";
      }
      auto send = [&socket, this](const std::string& bytes) {
        beast::error_code write_error;
        asio::write(socket, asio::buffer(bytes), write_error);
        if (write_error) {
          ++closed_by_peer;
        }
        return !write_error;
      };
      if (!handler(r, send)) {
        beast::error_code ignored;
        socket.shutdown(tcp::socket::shutdown_both, ignored);
        return;
      }
    }
  }

  raw_handler handler;
  asio::io_context io;
  tcp::acceptor acceptor;
  std::atomic<bool> is_stopping{false};
  std::atomic<int> accepted{0};
  std::atomic<int> closed_by_peer{0};
  std::atomic<int> ended{0};
  std::mutex mutex;
  std::vector<std::shared_ptr<tcp::socket>> sockets;
  std::vector<std::thread> threads;
  std::thread acceptor_thread;
};

raw_http_server::raw_http_server(raw_handler handler)
    : impl_(std::make_unique<impl>(std::move(handler))) {
  impl_->acceptor_thread = std::thread{[this] { impl_->accept_loop(); }};
}

raw_http_server::~raw_http_server() {
  impl_->is_stopping = true;
  beast::error_code ignored;
  // Wake the acceptor with a connection of our own, then end every connection.
  tcp::socket wake{impl_->io};
  wake.connect(impl_->acceptor.local_endpoint(), ignored);
  impl_->acceptor_thread.join();
  std::lock_guard lock{impl_->mutex};
  // Shutting down wakes each connection's thread; the sockets close only once their threads
  // have ended, since closing a socket another thread reads is a data race.
  for (auto& s : impl_->sockets) {
    s->shutdown(tcp::socket::shutdown_both, ignored);
  }
  for (auto& t : impl_->threads) {
    t.join();
  }
}

std::string raw_http_server::base_url() const {
  return "http://127.0.0.1:" + std::to_string(impl_->acceptor.local_endpoint().port());
}

int raw_http_server::connections_accepted() const {
  return impl_->accepted;
}

int raw_http_server::connections_closed_by_peer() const {
  return impl_->closed_by_peer;
}

int raw_http_server::connections_ended() const {
  return impl_->ended;
}

std::string http_response(int status, const std::string& body, const std::string& extra_headers) {
  return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: application/json\r\n" +
         extra_headers + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

} // namespace tutti::test
