// A loopback HTTP server for tests, on 127.0.0.1 and a free port, whose handler writes raw
// bytes, so that a test can answer correctly, slowly, wrongly or not at all. Each connection
// has its own thread and serves requests until the peer closes it.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>

namespace tutti::test {

struct raw_request {
  std::string target;
  std::string body;
  std::string header(const std::string& name) const;
  std::string headers; // "name: value\n" lines, lowercased names
};

/// Writes the answer with `send`; returns false to close the connection afterwards.
using raw_handler =
    std::function<bool(const raw_request&, const std::function<bool(const std::string&)>& send)>;

class raw_http_server {
 public:
  explicit raw_http_server(raw_handler handler);
  ~raw_http_server();
  raw_http_server(const raw_http_server&) = delete;
  raw_http_server& operator=(const raw_http_server&) = delete;

  std::string base_url() const;
  int connections_accepted() const;
  /// Connections whose peer closed them (or that failed) while the handler was writing.
  int connections_closed_by_peer() const;
  /// Connections that have ended, by either side.
  int connections_ended() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// An HTTP/1.1 response with a Content-Length body.
std::string http_response(int status, const std::string& body,
                          const std::string& extra_headers = "");

} // namespace tutti::test
