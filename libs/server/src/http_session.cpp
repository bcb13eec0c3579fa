#include "http_session.hpp"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <array>

namespace tutti::server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr std::size_t header_limit = 16 * 1024;

class session final : public connection, public std::enable_shared_from_this<session> {
 public:
  session(tcp::socket socket, run_service& service, const http_settings& settings,
          std::atomic<std::size_t>& streaming)
      : stream_(std::move(socket)), service_(service), settings_(settings), streaming_(streaming),
        write_timer_(stream_.get_executor()) {}

  void start() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read_header(); });
  }

  void close_from_anywhere() override {
    asio::post(stream_.get_executor(), [self = shared_from_this()] { self->client_gone(); });
  }

 private:
  void read_header() {
    parser_.emplace();
    parser_->header_limit(header_limit);
    parser_->body_limit(settings_.max_body_bytes);
    stream_.expires_after(served_ == 0 ? settings_.header_timeout : settings_.idle_timeout);
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
  }

  void on_header(beast::error_code ec) {
    if (ec) {
      return refuse_read(ec);
    }
    const auto& request = parser_->get();
    if (auto length = parser_->content_length(); length && *length > settings_.max_body_bytes) {
      return finish(error_reply(413, "the request body is larger than " +
                                         std::to_string(settings_.max_body_bytes) + " bytes"),
                    false);
    }
    stream_.expires_after(settings_.body_timeout);
    if (beast::iequals(request[http::field::expect], "100-continue")) {
      // curl waits a second for this before it sends a body larger than 1 KiB.
      static const std::string go_on = "HTTP/1.1 100 Continue\r\n\r\n";
      asio::async_write(stream_, asio::buffer(go_on),
                        [self = shared_from_this()](beast::error_code e, std::size_t) {
                          if (e) {
                            return self->close();
                          }
                          self->read_body();
                        });
      return;
    }
    read_body();
  }

  void read_body() {
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (ec) {
                         return self->refuse_read(ec);
                       }
                       self->answer();
                     });
  }

  // A request that could not be read: answered when the client can still hear it.
  void refuse_read(beast::error_code ec) {
    if (ec == http::error::body_limit) {
      return finish(error_reply(413, "the request body is larger than " +
                                         std::to_string(settings_.max_body_bytes) + " bytes"),
                    false);
    }
    if (ec == http::error::header_limit) {
      return finish(error_reply(431, "the request's headers are too large"), false);
    }
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
        ec == asio::error::eof) {
      return close();
    }
    finish(error_reply(400, "malformed HTTP request: " + ec.message()), false);
  }

  void answer() {
    auto& request = parser_->get();
    http_request r;
    r.method = std::string{request.method_string()};
    r.target = std::string{request.target()};
    r.body = std::move(request.body());
    r.authorization = std::string{request[http::field::authorization]};
    r.last_event_id = std::string{request["Last-Event-ID"]};
    r.host = std::string{request[http::field::host]};
    r.origin = std::string{request[http::field::origin]};
    r.content_type = std::string{request[http::field::content_type]};
    keep_alive_ = request.keep_alive();
    ++served_;
    http_reply reply;
    try {
      reply = route(service_, r, settings_.token);
    } catch (const std::exception& e) {
      // A route that throws is a bug; it costs this request, never the server.
      reply = error_reply(500, std::string{"internal error: "} + e.what());
    }
    on_client_gone_ = std::move(reply.on_client_gone);
    if ((reply.events || reply.later) && !is_streaming_) {
      is_streaming_ = true;
      ++streaming_;
    }
    if (reply.events) {
      return start_events(std::move(reply.events));
    }
    if (reply.later) {
      later_ = std::move(reply.later);
      stream_.expires_never();
      watch_for_departure();
      return poll_later();
    }
    finish(std::move(reply), keep_alive_);
  }

  // While a reply waits or a stream runs, a readable socket means the client left (it has
  // nothing more to send).
  void watch_for_departure() {
    stream_.socket().async_wait(
        tcp::socket::wait_read,
        asio::bind_executor(stream_.get_executor(), [self = shared_from_this(),
                                                     watch = watches_](beast::error_code ec) {
          // A watch that was ended may still have been queued: it must not read what
          // belongs to the connection's next request.
          if (ec || self->closed_ || watch != self->watches_) {
            return;
          }
          // Readiness can be spurious: a read that would block must not hold the thread.
          std::array<char, 512> scratch{};
          beast::error_code read_error;
          self->stream_.socket().non_blocking(true, read_error);
          const auto n = self->stream_.socket().read_some(asio::buffer(scratch), read_error);
          if (read_error == asio::error::would_block || (!read_error && n > 0)) {
            self->watch_for_departure(); // nothing yet, or bytes of a pipelining client
            return;
          }
          self->client_gone();
        }));
  }

  void client_gone() {
    if (on_client_gone_) {
      std::exchange(on_client_gone_, nullptr)();
    }
    close();
  }

  // Wakes come from engine threads; the session continues on its strand.
  std::function<void()> waker(void (session::*then)()) {
    return [weak = weak_from_this(), then] {
      if (auto self = weak.lock()) {
        asio::post(self->stream_.get_executor(), [self, then] { ((*self).*then)(); });
      }
    };
  }

  void poll_later() {
    if (closed_ || !later_) {
      return;
    }
    auto reply = later_(waker(&session::poll_later));
    if (!reply) {
      return;
    }
    later_ = nullptr;
    on_client_gone_ = nullptr;
    stop_streaming();
    ++watches_; // ends the departure watch, even one already queued
    stream_.socket().cancel();
    finish(std::move(*reply), keep_alive_);
  }

  void finish(http_reply reply, bool keep_alive) {
    response_ = {};
    response_.version(11);
    response_.result(reply.status);
    response_.set(http::field::server, "tutti");
    response_.set(http::field::content_type, reply.content_type);
    response_.set(http::field::cache_control, "no-store");
    for (const auto& [name, value] : reply.headers) {
      response_.set(name, value);
    }
    response_.body() = std::move(reply.body);
    response_.keep_alive(keep_alive);
    response_.prepare_payload();
    stream_.expires_after(settings_.write_timeout);
    http::async_write(stream_, response_,
                      [self = shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
                        if (ec || !keep_alive) {
                          return self->close();
                        }
                        self->read_header();
                      });
  }

  void start_events(std::shared_ptr<event_source> events) {
    events_ = std::move(events);
    stream_.expires_never();
    // Delimited by the connection's end: no length, no chunking, nothing a client must
    // undo before reading the events.
    pending_ = "HTTP/1.1 200 OK\r\nServer: tutti\r\nContent-Type: text/event-stream\r\n"
               "Cache-Control: no-store\r\nX-Accel-Buffering: no\r\nConnection: close\r\n\r\n";
    watch_for_departure();
    write_pending();
  }

  void pump() {
    if (closed_ || writing_) {
      return;
    }
    auto next = events_->next(waker(&session::pump));
    if (!next) {
      on_client_gone_ = nullptr;
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
      return close();
    }
    if (next->empty()) {
      return;
    }
    pending_ = std::move(*next);
    write_pending();
  }

  void write_pending() {
    writing_ = true;
    write_timer_.expires_after(settings_.write_timeout);
    write_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) {
        self->client_gone(); // it stopped reading
      }
    });
    asio::async_write(
        stream_.socket(), asio::buffer(pending_),
        asio::bind_executor(stream_.get_executor(),
                            [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              self->writing_ = false;
                              self->write_timer_.cancel();
                              if (ec) {
                                return self->client_gone();
                              }
                              self->pump();
                            }));
  }

  void stop_streaming() {
    if (std::exchange(is_streaming_, false)) {
      --streaming_;
    }
  }

  void close() {
    if (closed_) {
      return;
    }
    closed_ = true;
    stop_streaming();
    later_ = nullptr;
    write_timer_.cancel();
    beast::error_code ignored;
    stream_.socket().close(ignored);
  }

  beast::tcp_stream stream_;
  run_service& service_;
  const http_settings& settings_;
  std::atomic<std::size_t>& streaming_;
  bool is_streaming_ = false; // counted in streaming_
  asio::steady_timer write_timer_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
  std::shared_ptr<event_source> events_;
  deferred_reply later_;
  std::function<void()> on_client_gone_;
  std::string pending_;
  std::size_t served_ = 0;
  std::uint64_t watches_ = 0; // departure watches ended so far
  bool keep_alive_ = false;
  bool writing_ = false;
  bool closed_ = false;
};

} // namespace

std::shared_ptr<connection> serve_connection(tcp::socket socket, run_service& service,
                                             const http_settings& settings,
                                             std::atomic<std::size_t>& streaming) {
  auto s = std::make_shared<session>(std::move(socket), service, settings, streaming);
  s->start();
  return s;
}

} // namespace tutti::server
