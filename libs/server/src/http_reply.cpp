#include "http_reply.hpp"

#include <tutti/server/run_service.hpp>

namespace tutti::server {

std::string json_text(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

http_reply error_reply(unsigned status, const std::string& message) {
  return json_reply(status, {{"error", {{"message", message}, {"type", "tutti_error"}}}});
}

http_reply json_reply(unsigned status, std::string body) {
  http_reply reply;
  reply.status = status;
  reply.body = std::move(body);
  return reply;
}

http_reply json_reply(unsigned status, const nlohmann::json& body) {
  return json_reply(status, json_text(body));
}

http_reply refused(const api_error& e) {
  auto reply = error_reply(static_cast<unsigned>(e.status), e.message);
  if (e.retry_after_seconds) {
    reply.headers.emplace_back("Retry-After", std::to_string(*e.retry_after_seconds));
  }
  return reply;
}

} // namespace tutti::server
