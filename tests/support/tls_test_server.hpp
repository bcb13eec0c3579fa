// A TLS server for tests on 127.0.0.1 and a free port, with a self-signed certificate made in
// memory, which no client should trust: it completes handshakes and answers nothing.
#pragma once

#include <memory>
#include <string>

namespace tutti::test {

class tls_test_server {
 public:
  tls_test_server();
  ~tls_test_server();
  tls_test_server(const tls_test_server&) = delete;
  tls_test_server& operator=(const tls_test_server&) = delete;

  std::string base_url() const; // https://127.0.0.1:PORT
  int handshakes_completed() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace tutti::test
