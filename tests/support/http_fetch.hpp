// A test's HTTP client: one request, waited for, on the project's own client.
#pragma once

#include <tutti/providers/http_client.hpp>
#include <tutti/providers/io_thread.hpp>

#include <string>
#include <utility>
#include <vector>

namespace tutti::test {

class http_fetch {
 public:
  explicit http_fetch(std::string base_url);

  /// The whole answer; headers as given, "Content-Type: application/json" added.
  providers::http_result operator()(const std::string& method, const std::string& target,
                                    const std::string& body = {},
                                    std::vector<std::pair<std::string, std::string>> headers = {});

 private:
  std::string base_url_;
  providers::io_thread io_;
  providers::http_client client_;
};

} // namespace tutti::test
