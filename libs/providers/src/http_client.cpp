#include <tutti/definition/server_url.hpp>
#include <tutti/providers/http_client.hpp>
#include <tutti/providers/io_thread.hpp>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <map>
#include <mutex>
#include <sys/socket.h>
#include <variant>
#include <vector>

namespace tutti::providers {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

using plain_stream = beast::tcp_stream;
using tls_stream = beast::ssl_stream<beast::tcp_stream>;
// One connection, plain or TLS, owned by an exchange or idle in the pool.
using connection = std::variant<std::unique_ptr<plain_stream>, std::unique_ptr<tls_stream>>;

struct endpoint {
  bool is_tls = false;
  std::string host;
  std::string port;
  std::string host_header;
  std::string key() const { return (is_tls ? "https://" : "http://") + host + ":" + port; }
};

std::optional<endpoint> endpoint_of(const std::string& base_url) {
  auto url = definition::parse_server_url(base_url);
  if (!url) {
    return std::nullopt;
  }
  return endpoint{url->scheme == "https", url->host, std::to_string(url->port), url->host_header()};
}

beast::tcp_stream& lowest(connection& c) {
  return std::visit([](auto& s) -> beast::tcp_stream& { return beast::get_lowest_layer(*s); }, c);
}

// Each exchange holds one, written to as a fresh allocation: at 16 KiB, a thousand calls at
// once spent more CPU faulting in their buffers' pages than on HTTP (scenario 7). Replies are
// small, and a large one is read in more pieces.
constexpr std::size_t read_chunk = 4 * 1024;

http_error_kind kind_of(const beast::error_code& ec) {
  if (ec == beast::error::timeout) {
    return http_error_kind::timeout;
  }
  return ec == http::error::body_limit ? http_error_kind::too_large
                                       : http_error_kind::connection_lost;
}

} // namespace

struct http_client::impl : std::enable_shared_from_this<http_client::impl> {
  impl(io_thread& io_thread_, http_client_settings s)
      : io(io_thread_.context()), settings(s), tls(ssl::context::tls_client) {
    tls.set_default_verify_paths();
    tls.set_verify_mode(ssl::verify_peer);
  }

  // An idle connection the server has not closed. A request is sent on a kept connection
  // only when the socket shows no close (nor stray bytes) waiting: once a request has left,
  // a broken connection can no longer be told apart from a server that acted on it.
  std::optional<connection> take_idle(const std::string& key) {
    std::lock_guard lock{mutex};
    auto& idle = pool[key];
    while (!idle.empty()) {
      auto c = std::move(idle.back());
      idle.pop_back();
      if (is_open_and_quiet(c)) {
        return c;
      }
    }
    return std::nullopt;
  }

  static bool is_open_and_quiet(connection& c) {
    char byte = 0;
    const auto fd = lowest(c).socket().native_handle();
    const auto n = ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  }

  void give_back(const std::string& key, connection c) {
    std::lock_guard lock{mutex};
    auto& idle = pool[key];
    if (idle.size() < settings.max_idle_per_host) {
      idle.push_back(std::move(c));
    }
  }

  asio::io_context& io;
  http_client_settings settings;
  ssl::context tls;
  mutable std::mutex mutex;
  std::map<std::string, std::vector<connection>> pool;
};

namespace {

// One request and its response, step by step, each step under a deadline. Lives on the I/O
// thread; cancel() may come from any thread and is posted there.
class exchange : public std::enable_shared_from_this<exchange> {
 public:
  exchange(std::shared_ptr<http_client::impl> client, endpoint where, http_call call,
           http_deadlines deadlines, std::function<void(std::string_view)> on_body,
           std::function<void(http_result)> done)
      : client_(std::move(client)), where_(std::move(where)), call_(std::move(call)),
        deadlines_(deadlines), on_body_(std::move(on_body)), done_(std::move(done)),
        resolver_(client_->io), resolve_timer_(client_->io), total_timer_(client_->io) {}

  void run() {
    total_timer_.expires_after(deadlines_.total);
    total_timer_.async_wait([self = shared_from_this()](const beast::error_code& ec) {
      if (!ec) {
        self->fail(http_error_kind::timeout, "no complete response within " +
                                                 std::to_string(self->deadlines_.total.count()) +
                                                 " ms");
      }
    });
    if (auto idle = client_->take_idle(where_.key())) {
      connection_ = std::move(*idle);
      is_reused_ = true;
      write();
      return;
    }
    connect();
  }

  void cancel() {
    asio::post(client_->io, [self = shared_from_this()] {
      if (self->finished_.exchange(true)) {
        return;
      }
      self->is_cancelled_ = true;
      self->total_timer_.cancel();
      self->close();
      self->deliver(); // delivers nothing, but releases the callbacks
    });
  }

 private:
  // The completion handler of one step: it keeps this exchange alive, and does nothing once
  // the exchange has finished (cancelled or timed out meanwhile: the result is out and the
  // callbacks are gone).
  template <typename Step>
  auto next(Step step) {
    return [self = shared_from_this(), step](const beast::error_code& ec, auto&&...) {
      if (!self->finished_) {
        ((*self).*step)(ec);
      }
    };
  }

  void connect() {
    is_reused_ = false;
    // An address needs no lookup: the resolver would still ask getaddrinfo on a thread of its
    // own, for every connection (a thousand local calls spent a fifth of their CPU there).
    beast::error_code not_an_address;
    const auto address = asio::ip::make_address(where_.host, not_an_address);
    std::uint16_t port = 0;
    const auto [end, bad_port] =
        std::from_chars(where_.port.data(), where_.port.data() + where_.port.size(), port);
    if (!not_an_address && bad_port == std::errc{} &&
        end == where_.port.data() + where_.port.size()) {
      return on_resolve({}, tcp::resolver::results_type::create(tcp::endpoint{address, port},
                                                                where_.host, where_.port));
    }
    // The resolver has no deadline of its own: a timer cancels it.
    resolve_timer_.expires_after(deadlines_.connect);
    resolve_timer_.async_wait([self = shared_from_this()](const beast::error_code& ec) {
      if (!ec) {
        // Nothing was sent: the server is unreachable, not slow to answer.
        self->fail(http_error_kind::connect,
                   "resolving " + self->where_.host + " took longer than " +
                       std::to_string(self->deadlines_.connect.count()) + " ms");
      }
    });
    resolver_.async_resolve(
        where_.host, where_.port,
        [self = shared_from_this()](const beast::error_code& ec, tcp::resolver::results_type r) {
          self->on_resolve(ec, std::move(r));
        });
  }

  void on_resolve(const beast::error_code& ec, tcp::resolver::results_type results) {
    resolve_timer_.cancel();
    if (finished_) {
      return;
    }
    if (ec) {
      return fail(http_error_kind::resolve, "cannot resolve " + where_.host + ": " + ec.message());
    }
    if (where_.is_tls) {
      connection_ = std::make_unique<tls_stream>(client_->io, client_->tls);
    } else {
      connection_ = std::make_unique<plain_stream>(client_->io);
    }
    auto& stream = lowest(*connection_);
    stream.expires_after(deadlines_.connect);
    stream.async_connect(results, next(&exchange::on_connect));
  }

  void on_connect(const beast::error_code& ec) {
    if (ec) {
      return fail(http_error_kind::connect,
                  "cannot connect to " + where_.key() + ": " + ec.message());
    }
    auto* tls = std::get_if<std::unique_ptr<tls_stream>>(&*connection_);
    if (tls == nullptr) {
      return write();
    }
    // SNI, and the certificate must name the host.
    if (!SSL_set_tlsext_host_name((*tls)->native_handle(), where_.host.c_str())) {
      return fail(http_error_kind::tls, "cannot set the TLS server name for " + where_.host);
    }
    (*tls)->set_verify_callback(ssl::host_name_verification(where_.host));
    lowest(*connection_).expires_after(deadlines_.connect);
    (*tls)->async_handshake(ssl::stream_base::client, next(&exchange::on_handshake));
  }

  void on_handshake(const beast::error_code& ec) {
    if (ec) {
      return fail(http_error_kind::tls, "TLS with " + where_.host + " failed: " + ec.message());
    }
    write();
  }

  void write() {
    request_ = {};
    request_.method_string(call_.method);
    request_.target(call_.target);
    request_.version(11);
    request_.set(http::field::host, where_.host_header);
    request_.set(http::field::user_agent, "tutti");
    for (const auto& [name, value] : call_.headers) {
      request_.set(name, value);
    }
    request_.body() = call_.body;
    request_.keep_alive(true);
    if (call_.method != "GET") {
      request_.prepare_payload();
    }
    lowest(*connection_).expires_after(deadlines_.idle);
    std::visit(
        [this](auto& stream) { http::async_write(*stream, request_, next(&exchange::on_write)); },
        *connection_);
  }

  void on_write(const beast::error_code& ec) {
    if (ec) {
      return retry_or_fail(http_error_kind::connection_lost,
                           "sending to " + where_.key() + " failed: " + ec.message());
    }
    parser_.emplace();
    parser_->body_limit(client_->settings.max_body_bytes);
    lowest(*connection_).expires_after(deadlines_.idle);
    std::visit(
        [this](auto& stream) {
          http::async_read_header(*stream, buffer_, *parser_, next(&exchange::on_header));
        },
        *connection_);
  }

  void on_header(const beast::error_code& ec) {
    if (ec == http::error::body_limit) {
      return fail(http_error_kind::too_large, too_large_message());
    }
    if (ec == beast::error::timeout) {
      // The server has the request and did not answer in time: sending it again could make
      // it act twice (and bill twice).
      return fail(http_error_kind::timeout, "no response from " + where_.key() + " in time");
    }
    if (ec) {
      // The request went out: the server may have it, so it is not sent again.
      return fail(kind_of(ec), "no response from " + where_.key() + ": " + ec.message());
    }
    result_.status = static_cast<int>(parser_->get().result_int());
    if (auto found = parser_->get().find(http::field::retry_after); found != parser_->get().end()) {
      result_.retry_after = std::string{found->value()};
    }
    is_streaming_ = on_body_ && result_.status >= 200 && result_.status < 300;
    read_body();
  }

  void read_body() {
    if (parser_->is_done()) {
      return finish();
    }
    parser_->get().body().data = chunk_;
    parser_->get().body().size = sizeof chunk_;
    lowest(*connection_).expires_after(deadlines_.idle);
    std::visit(
        [this](auto& stream) {
          http::async_read_some(*stream, buffer_, *parser_, next(&exchange::on_body));
        },
        *connection_);
  }

  void on_body(beast::error_code ec) {
    if (ec == http::error::need_buffer) {
      ec = {};
    }
    const auto bytes = sizeof chunk_ - parser_->get().body().size;
    if (bytes > 0) {
      const std::string_view piece{chunk_, bytes};
      if (is_streaming_) {
        on_body_(piece);
      } else {
        result_.body.append(piece);
      }
    }
    if (ec) {
      return fail(kind_of(ec),
                  kind_of(ec) == http_error_kind::too_large
                      ? too_large_message()
                      : "the response from " + where_.key() + " was cut off: " + ec.message());
    }
    read_body();
  }

  std::string too_large_message() const {
    return "the response from " + where_.key() + " is larger than " +
           std::to_string(client_->settings.max_body_bytes) + " bytes";
  }

  void finish() {
    if (finished_.exchange(true)) {
      return;
    }
    total_timer_.cancel();
    if (parser_->keep_alive() && !is_cancelled_) {
      client_->give_back(where_.key(), std::move(*connection_));
      connection_.reset();
    } else {
      close();
    }
    deliver();
  }

  // Hands the result over once and lets go of the callbacks, which may hold whoever holds
  // this exchange.
  void deliver() {
    auto done = std::move(done_);
    done_ = nullptr;
    on_body_ = nullptr;
    if (!is_cancelled_ && done) {
      done(std::move(result_));
    }
  }

  // A reused connection may have been closed by the server while idle, just as the request
  // was written: the write fails, the server never took the request in, and a fresh
  // connection may carry it once.
  void retry_or_fail(http_error_kind kind, std::string message) {
    if (is_reused_ && !is_cancelled_) {
      close();
      connection_.reset();
      buffer_.clear();
      return connect();
    }
    fail(kind, std::move(message));
  }

  void fail(http_error_kind kind, std::string message) {
    if (finished_.exchange(true)) {
      return;
    }
    total_timer_.cancel();
    close();
    result_.error = http_error{kind, std::move(message)};
    deliver();
  }

  void close() {
    resolver_.cancel();
    resolve_timer_.cancel();
    if (connection_) {
      beast::error_code ignored;
      lowest(*connection_).socket().shutdown(tcp::socket::shutdown_both, ignored);
      lowest(*connection_).close();
    }
  }

  std::shared_ptr<http_client::impl> client_;
  endpoint where_;
  http_call call_;
  http_deadlines deadlines_;
  std::function<void(std::string_view)> on_body_;
  std::function<void(http_result)> done_;
  tcp::resolver resolver_;
  asio::steady_timer resolve_timer_;
  asio::steady_timer total_timer_;
  std::optional<connection> connection_;
  http::request<http::string_body> request_;
  std::optional<http::response_parser<http::buffer_body>> parser_;
  beast::flat_buffer buffer_;
  char chunk_[read_chunk];
  http_result result_;
  bool is_reused_ = false;
  bool is_streaming_ = false;
  bool is_cancelled_ = false;
  std::atomic<bool> finished_{false};
};

} // namespace

http_client::http_client(io_thread& io, http_client_settings settings)
    : impl_(std::make_shared<impl>(io, settings)) {}

http_client::~http_client() = default;

cancel_call http_client::send(const std::string& base_url, http_call call, http_deadlines deadlines,
                              std::function<void(std::string_view)> on_body,
                              std::function<void(http_result)> done) {
  auto refuse = [&](std::string message) {
    http_result r;
    r.error = http_error{http_error_kind::protocol, std::move(message)};
    done(std::move(r));
    return cancel_call{[] {}};
  };
  auto where = endpoint_of(base_url);
  if (!where) {
    return refuse("'" + base_url + "' is not an http(s) URL");
  }
  if (call.body.size() > impl_->settings.max_request_bytes) {
    return refuse("the request of " + std::to_string(call.body.size()) +
                  " bytes is larger than the limit of " +
                  std::to_string(impl_->settings.max_request_bytes));
  }
  auto x = std::make_shared<exchange>(impl_, std::move(*where), std::move(call), deadlines,
                                      std::move(on_body), std::move(done));
  asio::post(impl_->io, [x] { x->run(); });
  // Weakly: the caller's callbacks may hold this cancel, and the exchange holds them; its own
  // pending operations keep it alive, and go with the I/O loop if that stops first.
  return [weak = std::weak_ptr<exchange>{x}] {
    if (auto x = weak.lock()) {
      x->cancel();
    }
  };
}

std::size_t http_client::idle_connections() const {
  std::lock_guard lock{impl_->mutex};
  std::size_t n = 0;
  for (const auto& [key, idle] : impl_->pool) {
    n += idle.size();
  }
  return n;
}

} // namespace tutti::providers
