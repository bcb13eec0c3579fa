#include "support/http_fetch.hpp"

#include <future>

namespace tutti::test {

http_fetch::http_fetch(std::string base_url) : base_url_(std::move(base_url)), client_(io_) {}

providers::http_result
http_fetch::operator()(const std::string& method, const std::string& target,
                       const std::string& body,
                       std::vector<std::pair<std::string, std::string>> headers) {
  providers::http_call call;
  call.method = method;
  call.target = target;
  call.body = body;
  call.headers = std::move(headers);
  call.headers.emplace_back("Content-Type", "application/json");
  auto done = std::make_shared<std::promise<providers::http_result>>();
  auto answer = done->get_future();
  providers::http_deadlines deadlines;
  deadlines.total = std::chrono::seconds{20};
  client_.send(base_url_, std::move(call), deadlines, nullptr,
               [done](providers::http_result r) { done->set_value(std::move(r)); });
  return answer.get();
}

} // namespace tutti::test
