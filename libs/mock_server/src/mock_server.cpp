#include "mock_replies.hpp"

#include <tutti/mock_server/mock_server.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <ctime>
#include <map>
#include <mutex>
#include <thread>

namespace tutti::mock_server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

enum class fault {
  none,
  status,
  reset,
  malformed,
  wrong_shape,
  silent,
  stall,
  drip,
  huge,
  quotes_key
};

// What a model name asks the server to do.
struct behaviour {
  std::chrono::milliseconds latency{0};
  fault kind = fault::none;
  int status = 0;
  std::string extra_headers;
  std::uint64_t flaky_failures = 0;
};

int number_after(const std::string& text, std::size_t at) {
  try {
    return std::stoi(text.substr(at));
  } catch (...) {
    return 0;
  }
}

std::string http_date(std::chrono::system_clock::time_point t) {
  auto time = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&time, &tm);
  char text[64];
  std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return text;
}

// Faults named by the whole model name.
const std::map<std::string, fault, std::less<>> named_faults{
    {"reset", fault::reset},   {"malformed", fault::malformed}, {"wrong-shape", fault::wrong_shape},
    {"silent", fault::silent}, {"stall", fault::stall},         {"drip", fault::drip},
    {"huge", fault::huge},     {"bad-key", fault::quotes_key}};

behaviour behaviour_of(const std::string& model, std::chrono::milliseconds default_latency) {
  behaviour b;
  b.latency = default_latency;
  if (model.rfind("sleep-", 0) == 0) {
    b.latency = std::chrono::milliseconds{number_after(model, 6)};
  } else if (model == "fail-429-date") {
    b.kind = fault::status;
    b.status = 429;
    b.extra_headers =
        "Retry-After: " + http_date(std::chrono::system_clock::now() + std::chrono::seconds{2}) +
        "\r\n";
  } else if (model.rfind("fail-", 0) == 0) {
    b.kind = fault::status;
    b.status = number_after(model, 5);
    if (b.status == 429) {
      b.extra_headers = "Retry-After: 1\r\n";
    }
  } else if (model.rfind("flaky-", 0) == 0) {
    b.status = number_after(model, 6);
    b.flaky_failures = static_cast<std::uint64_t>(number_after(model, model.rfind('-') + 1));
  } else if (auto named = named_faults.find(model); named != named_faults.end()) {
    b.kind = named->second;
  }
  return b;
}

json load_json(const load& l) {
  return {
      {"requests", l.requests}, {"in_flight", l.in_flight}, {"peak_in_flight", l.peak_in_flight}};
}

} // namespace

// Owns the io_context; sessions and handlers refer to it plainly, since they live inside it
// and go with it.
struct server::impl {
  explicit impl(server_settings s)
      : settings(s), acceptor(io, {asio::ip::make_address(s.host), s.port}) {}

  void begin(const std::string& model) {
    std::lock_guard lock{mutex};
    for (auto* l : {&total, &models[model]}) {
      ++l->requests;
      l->peak_in_flight = std::max(l->peak_in_flight, ++l->in_flight);
    }
  }

  void end(const std::string& model) {
    std::lock_guard lock{mutex};
    --total.in_flight;
    --models[model].in_flight;
  }

  void reset() {
    std::lock_guard lock{mutex};
    total = {};
    models.clear();
    abandoned_count = 0;
  }

  std::string stats_json() {
    std::lock_guard lock{mutex};
    json per_model = json::object();
    for (const auto& [name, l] : models) {
      per_model[name] = load_json(l);
    }
    auto body = load_json(total);
    body["abandoned"] = abandoned_count;
    body["models"] = per_model;
    return body.dump();
  }

  void accept();

  server_settings settings;
  asio::io_context io{1};
  tcp::acceptor acceptor;
  std::thread thread;
  mutable std::mutex mutex;
  load total;
  std::map<std::string, load> models;
  std::uint64_t abandoned_count = 0;
};

namespace {

// One connection: requests are read, answered after their latency (or not), and the next
// request is read. While a request waits, a read on the socket notices a client that leaves.
class session : public std::enable_shared_from_this<session> {
 public:
  session(server::impl& server, tcp::socket socket)
      : server_(&server), socket_(std::move(socket)), timer_(server.io) {}

  void read() {
    request_ = {};
    parser_.emplace();
    parser_->body_limit(16 * 1024 * 1024);
    http::async_read(socket_, buffer_, *parser_,
                     [self = shared_from_this()](const beast::error_code& ec, std::size_t) {
                       self->on_read(ec);
                     });
  }

 private:
  void on_read(const beast::error_code& ec) {
    if (ec) {
      return close();
    }
    request_ = parser_->release();
    const std::string target{request_.target()};
    if (request_.method() == http::verb::get && target == "/stats") {
      return answer(http_response(200, "application/json", server_->stats_json()));
    }
    if (request_.method() == http::verb::post && target == "/reset") {
      server_->reset();
      return answer(http_response(200, "application/json", "{}"));
    }
    if (request_.method() == http::verb::get && target == "/api/ps") {
      return answer(http_response(200, "application/json",
                                  R"({"models":[{"name":"mock-a"},{"name":"mock-b"}]})"));
    }
    if (request_.method() == http::verb::get && target == "/api/v0/models") {
      return answer(http_response(
          200, "application/json",
          R"({"data":[{"id":"mock-a","state":"loaded"},{"id":"mock-b","state":"not-loaded"}]})"));
    }
    if (request_.method() == http::verb::get && (target == "/v1/models" || target == "/api/tags")) {
      return answer(models_response(target == "/api/tags" ? wire::ollama : wire::openai));
    }
    std::optional<wire> protocol;
    if (target == "/v1/chat/completions") {
      protocol = wire::openai;
    } else if (target == "/v1/messages") {
      protocol = wire::anthropic;
    } else if (target == "/api/chat") {
      protocol = wire::ollama;
    }
    if (!protocol) {
      return answer(
          http_response(404, "application/json", R"({"error":{"message":"no such endpoint"}})"));
    }
    chat_ = {};
    if (!parse_chat_request(*protocol, request_.body(), chat_)) {
      return answer(error_response(*protocol, 400));
    }
    server_->begin(chat_.model);
    is_counted_ = true;
    behaviour_ = behaviour_of(chat_.model, server_->settings.latency);
    timer_.expires_after(behaviour_.latency);
    timer_.async_wait([self = shared_from_this()](const beast::error_code& e) {
      if (!e) {
        self->is_due_ = true;
        beast::error_code ignored;
        self->socket_.cancel(ignored); // ends the watch below, which then answers
      }
    });
    watch_for_departure();
  }

  void watch_for_departure() {
    socket_.async_read_some(asio::buffer(probe_, sizeof probe_),
                            [self = shared_from_this()](const beast::error_code&, std::size_t) {
                              if (self->is_due_) {
                                self->is_due_ = false;
                                return self->respond();
                              }
                              self->abandon();
                            });
  }

  // The client left before the answer was complete (a timeout or a cancellation on its side).
  void abandon() {
    timer_.cancel();
    {
      std::lock_guard lock{server_->mutex};
      ++server_->abandoned_count;
    }
    close();
  }

  void respond() {
    std::uint64_t served = 0;
    {
      std::lock_guard lock{server_->mutex};
      served = server_->models[chat_.model].requests;
    }
    const auto p = chat_.protocol;
    switch (behaviour_.kind) {
    case fault::status:
      return answer(error_response(p, behaviour_.status, behaviour_.extra_headers));
    case fault::malformed:
      return answer(http_response(200, "application/json", "this is not json {"));
    case fault::wrong_shape:
      return answer(http_response(200, "application/json", R"({"unexpected":true})"));
    case fault::huge:
      return answer(http_response(200, "application/json", std::string(17 << 20, ' ')));
    case fault::reset: {
      auto whole = echo_response(chat_);
      return answer(whole.substr(0, whole.find("\r\n\r\n") + 4 + 8), true);
    }
    case fault::silent:
      return watch_for_departure(); // until the client gives up
    case fault::stall:
      return stall();
    case fault::drip:
      return drip(
          std::make_shared<std::string>("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                        "Content-Length: 1000000\r\n\r\n{\"choices\": ["));
    case fault::quotes_key:
      return answer(http_response(
          401, "application/json",
          json{{"error", {{"message", "Incorrect API key provided: " + key_sent()}}}}.dump()));
    case fault::none:
      break;
    }
    if (behaviour_.flaky_failures >= served) {
      return answer(error_response(p, behaviour_.status));
    }
    answer(echo_response(chat_));
  }

  // The key the client sent, as a careless server would quote it back.
  std::string key_sent() const {
    if (auto key = request_.find("x-api-key"); key != request_.end()) {
      return std::string{key->value()};
    }
    if (auto auth = request_.find(http::field::authorization); auth != request_.end()) {
      auto value = std::string{auth->value()};
      return value.rfind("Bearer ", 0) == 0 ? value.substr(7) : value;
    }
    return "(none)";
  }

  void stall() {
    auto bytes = std::make_shared<std::string>(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{");
    asio::async_write(socket_, asio::buffer(*bytes),
                      [self = shared_from_this(), bytes](const beast::error_code& ec, std::size_t) {
                        if (ec) {
                          return self->close();
                        }
                        self->watch_for_departure(); // until the client gives up
                      });
  }

  // Writes `bytes`, then one more space every 50 ms, for as long as the client reads.
  void drip(std::shared_ptr<std::string> bytes) {
    asio::async_write(socket_, asio::buffer(*bytes),
                      [self = shared_from_this(), bytes](const beast::error_code& ec, std::size_t) {
                        if (ec) {
                          return self->abandon();
                        }
                        self->timer_.expires_after(std::chrono::milliseconds{50});
                        self->timer_.async_wait([self](const beast::error_code& e) {
                          if (!e) {
                            self->drip(std::make_shared<std::string>(" "));
                          }
                        });
                      });
  }

  void answer(std::string bytes, bool close_after = false) {
    close_after = close_after || !request_.keep_alive(); // "Connection: close" or HTTP/1.0
    auto shared = std::make_shared<std::string>(std::move(bytes));
    asio::async_write(
        socket_, asio::buffer(*shared),
        [self = shared_from_this(), shared, close_after](const beast::error_code& ec, std::size_t) {
          self->end_request();
          if (ec || close_after) {
            return self->close();
          }
          self->read();
        });
  }

  void end_request() {
    if (is_counted_) {
      is_counted_ = false;
      server_->end(chat_.model);
    }
  }

  void close() {
    end_request();
    beast::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

  server::impl* server_;
  tcp::socket socket_;
  asio::steady_timer timer_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::request<http::string_body> request_;
  parsed_request chat_;
  behaviour behaviour_;
  char probe_[1];
  bool is_due_ = false;
  bool is_counted_ = false;
};

} // namespace

void server::impl::accept() {
  acceptor.async_accept([this](const beast::error_code& ec, tcp::socket s) {
    if (ec) {
      return;
    }
    std::make_shared<session>(*this, std::move(s))->read();
    accept();
  });
}

namespace {

// The listening server, or an error a person reads: no Asio source paths.
std::shared_ptr<server::impl> listening(const server_settings& settings) {
  try {
    return std::make_shared<server::impl>(settings);
  } catch (const boost::system::system_error& e) {
    const auto where = settings.host + ":" + std::to_string(settings.port);
    if (e.code() == asio::error::address_in_use) {
      throw std::runtime_error("port " + std::to_string(settings.port) + " is in use");
    }
    if (e.code() == boost::system::errc::address_not_available) {
      throw std::runtime_error(settings.host + " is no address of this machine");
    }
    if (e.code() == boost::system::errc::invalid_argument) {
      throw std::runtime_error("--host " + settings.host +
                               ": give an IP address of this machine, such as 127.0.0.1 or ::1");
    }
    throw std::runtime_error("cannot listen on " + where + ": " + e.code().message());
  }
}

} // namespace

server::server(server_settings settings) : impl_(listening(settings)) {
  impl_->accept();
  impl_->thread = std::thread{[i = impl_.get()] { i->io.run(); }};
}

server::~server() {
  impl_->io.stop();
  impl_->thread.join();
}

std::uint16_t server::port() const {
  return impl_->acceptor.local_endpoint().port();
}

std::string server::base_url() const {
  const auto& host = impl_->settings.host;
  const bool is_ipv6 = host.find(':') != std::string::npos;
  return "http://" + (is_ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port());
}

load server::of_model(const std::string& model) const {
  std::lock_guard lock{impl_->mutex};
  auto found = impl_->models.find(model);
  return found == impl_->models.end() ? load{} : found->second;
}

load server::overall() const {
  std::lock_guard lock{impl_->mutex};
  return impl_->total;
}

std::uint64_t server::abandoned() const {
  std::lock_guard lock{impl_->mutex};
  return impl_->abandoned_count;
}

void server::wait_for_signal() {
  asio::io_context signals_io;
  asio::signal_set signals{signals_io, SIGINT, SIGTERM};
  signals.async_wait([](const beast::error_code&, int) {});
  signals_io.run();
}

} // namespace tutti::mock_server
