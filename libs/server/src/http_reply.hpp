// What the server answers to one request, as a value: a whole reply now, a reply once the run
// it waits for has ended, or headers then a stream of Server-Sent Events.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tutti::server {

struct api_error;

/// The events a stream sends after its headers, as they come.
class event_source {
 public:
  virtual ~event_source() = default;
  /// The next bytes to send; "" when there are none yet (`wake` is then called once, from any
  /// thread, when there may be); nullopt once the stream has ended.
  virtual std::optional<std::string> next(std::function<void()> wake) = 0;
};

struct http_reply;

/// A reply that waits for something: nullopt until it is ready (`wake` is then called once,
/// from any thread, when it may be).
using deferred_reply = std::function<std::optional<http_reply>(std::function<void()> wake)>;

struct http_reply {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::shared_ptr<event_source> events; // set: an SSE stream, `body` unused
  deferred_reply later;                 // set: the reply comes from it
  /// Called when the client leaves before `later` or `events` is done (the run it started
  /// has nobody to answer to).
  std::function<void()> on_client_gone;
};

/// {"error": {"message", "type"}}, the shape OpenAI's clients read.
http_reply error_reply(unsigned status, const std::string& message);
http_reply json_reply(unsigned status, std::string body);
http_reply json_reply(unsigned status, const nlohmann::json& body);
/// What the service said no with, as its status, with Retry-After when it gave one.
http_reply refused(const api_error& e);
/// One line of JSON; model output is arbitrary bytes, so invalid UTF-8 is replaced.
std::string json_text(const nlohmann::json& j);

} // namespace tutti::server
