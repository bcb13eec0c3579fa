// The HTTP/1.1 server of `tutti serve`, on Boost.Beast: the run API, Server-Sent Events, the
// OpenAI-compatible endpoint and the dashboard, over one run_service.
#pragma once

#include <tutti/server/run_service.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace tutti::server {

struct http_settings {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8765; // 0: any free port
  /// The bearer token every request must carry; required to listen beyond loopback.
  std::string token;
  std::size_t max_body_bytes = 8 * 1024 * 1024;
  std::chrono::milliseconds header_timeout{10'000}; // to receive a request's headers
  std::chrono::milliseconds body_timeout{30'000};   // then its body
  std::chrono::milliseconds idle_timeout{60'000};   // a kept-alive connection with no request
  std::chrono::milliseconds write_timeout{30'000};  // a reply or event a client does not take
  unsigned threads = 2;
};

/// Why a server could not start: it was told to listen beyond loopback without a token, or
/// it cannot bind. The message says which.
class start_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Whether `host` is a loopback address or name (127.0.0.0/8, ::1, localhost).
bool is_loopback_host(const std::string& host);

class http_server {
 public:
  /// Binds and serves on threads of its own; throws start_error.
  http_server(run_service& service, http_settings settings);
  /// stop(), then waits for the threads.
  ~http_server();
  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;

  std::uint16_t port() const;
  /// No new connections; those open are served on.
  void stop_accepting();
  /// stop_accepting(), and the connections still open are closed.
  void stop();
  /// Waits, up to `timeout`, for the streams and waiting replies to be sent (after the runs
  /// they follow have ended): a stop that follows loses none of their last events.
  void drain(std::chrono::milliseconds timeout);

  struct impl;

 private:
  std::shared_ptr<impl> impl_;
};

} // namespace tutti::server
