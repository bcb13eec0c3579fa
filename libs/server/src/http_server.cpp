#include "http_session.hpp"

#include <tutti/definition/server_url.hpp>
#include <tutti/server/http_server.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

#include <mutex>
#include <thread>
#include <vector>

namespace tutti::server {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

bool is_loopback_host(const std::string& host) {
  const bool is_ipv6 = host.find(':') != std::string::npos;
  auto url = definition::parse_server_url("http://" + (is_ipv6 ? "[" + host + "]" : host));
  return url && url->is_loopback;
}

// Its handlers hold `this`, not a shared pointer: they run only while the threads do, which the
// destructor joins, and a handler left in the io_context must not keep it alive (a cycle).
struct http_server::impl {
  impl(run_service& s, http_settings h)
      : service(s), settings(std::move(h)), acceptor(asio::make_strand(io)) {}

  void accept() {
    acceptor.async_accept(asio::make_strand(io),
                          [self = this](boost::system::error_code ec, tcp::socket socket) {
                            if (ec == asio::error::operation_aborted || !self->acceptor.is_open()) {
                              return;
                            }
                            if (!ec) {
                              self->keep(serve_connection(std::move(socket), self->service,
                                                          self->settings, self->streaming));
                            }
                            self->accept();
                          });
  }

  // Remembered so that stop() can close them; forgotten as they end.
  void keep(const std::shared_ptr<connection>& c) {
    std::lock_guard lock{mutex};
    std::erase_if(connections, [](const auto& weak) { return weak.expired(); });
    connections.push_back(c);
  }

  void stop_accepting() {
    asio::post(acceptor.get_executor(), [self = this] {
      boost::system::error_code ignored;
      self->acceptor.close(ignored);
    });
  }

  void stop() {
    stop_accepting();
    std::vector<std::weak_ptr<connection>> open;
    {
      std::lock_guard lock{mutex};
      open.swap(connections);
    }
    for (const auto& weak : open) {
      if (auto c = weak.lock()) {
        c->close_from_anywhere();
      }
    }
  }

  run_service& service;
  const http_settings settings;
  asio::io_context io;
  tcp::acceptor acceptor;
  std::mutex mutex;
  std::vector<std::weak_ptr<connection>> connections;
  std::vector<std::thread> threads;
  std::uint16_t port = 0; // as bound
  std::atomic<std::size_t> streaming{0};
};

http_server::http_server(run_service& service, http_settings settings) {
  boost::system::error_code ec;
  asio::io_context resolving;
  tcp::resolver resolver{resolving};
  auto found = resolver.resolve(settings.host, std::to_string(settings.port), ec);
  if (ec || found.empty()) {
    throw start_error("cannot listen on " + settings.host + ": " +
                      (ec ? ec.message() : "it names no address"));
  }
  // The address decides, not the name: a name may stand for any machine's address.
  if (settings.token.empty() && !found.begin()->endpoint().address().is_loopback()) {
    throw start_error("listening on " + settings.host +
                      " lets other machines in: give a token (--token-env VARIABLE) or listen on "
                      "127.0.0.1");
  }
  impl_ = std::make_shared<impl>(service, std::move(settings));
  const auto& s = impl_->settings;
  const auto where = found.begin()->endpoint();
  auto& acceptor = impl_->acceptor;
  acceptor.open(where.protocol(), ec);
  if (!ec) {
    acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    acceptor.bind(where, ec);
  }
  if (!ec) {
    acceptor.listen(asio::socket_base::max_listen_connections, ec);
  }
  if (ec) {
    throw start_error("cannot listen on " + s.host + ":" + std::to_string(s.port) + ": " +
                      ec.message());
  }
  impl_->port = acceptor.local_endpoint().port();
  impl_->accept();
  for (unsigned i = 0; i < std::max(s.threads, 1U); ++i) {
    impl_->threads.emplace_back([io = &impl_->io] { io->run(); });
  }
}

http_server::~http_server() {
  stop();
  impl_->io.stop();
  for (auto& t : impl_->threads) {
    t.join();
  }
}

std::uint16_t http_server::port() const {
  return impl_->port;
}

void http_server::drain(std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (impl_->streaming > 0 && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
}

void http_server::stop_accepting() {
  impl_->stop_accepting();
}

void http_server::stop() {
  impl_->stop();
}

} // namespace tutti::server
