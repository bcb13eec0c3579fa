// `tutti mock-server`: an HTTP server that speaks the OpenAI, Anthropic and Ollama protocols,
// streaming and not, with deterministic echo replies, latency and faults chosen by model name,
// and its own statistics, so that tutti can be tried and tested over real TCP without keys.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace tutti::mock_server {

struct server_settings {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;               // 0: any free port
  std::chrono::milliseconds latency{0}; // for models that do not name their own
};

/// Requests served and the most in flight at once, overall and for one model.
struct load {
  std::uint64_t requests = 0;
  std::uint64_t in_flight = 0;
  std::uint64_t peak_in_flight = 0;
};

/// Serves on its own thread until destroyed.
///
/// Model names choose the behaviour: "sleep-250" answers after 250 ms; "fail-503" answers
/// with that status (any 4xx or 5xx); "fail-429" adds Retry-After: 1, "fail-429-date" the same
/// as an HTTP date; "flaky-503-2" fails its first 2 requests with 503, then answers; "reset"
/// closes the connection mid-body; "malformed" answers 200 with text that is not JSON;
/// "wrong-shape" answers JSON without the protocol's fields; "silent" reads the request and
/// never answers; "stall" sends headers, then nothing; "drip" sends headers, then a byte every
/// 50 ms, never finishing; "huge" sends a 17 MiB body; "bad-key" answers 401 quoting the key it was
/// sent. Any other model echoes the last user message. GET /v1/models and /api/tags list a few
/// of these names as examples.
class server {
 public:
  /// Listens at once; throws std::runtime_error saying why it cannot ("port 8080 is in use").
  explicit server(server_settings settings = {});
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  std::uint16_t port() const;
  std::string base_url() const;
  load of_model(const std::string& model) const;
  /// All chat requests, whatever their model.
  load overall() const;
  /// Connections the server saw closed by the client before it answered.
  std::uint64_t abandoned() const;

  /// Runs until SIGINT or SIGTERM; for the CLI.
  void wait_for_signal();

  struct impl;

 private:
  std::shared_ptr<impl> impl_;
};

} // namespace tutti::mock_server
