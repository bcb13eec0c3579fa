// What the mock server answers, in each protocol's own shape. Pure: request in, bytes out.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace tutti::mock_server {

enum class wire { openai, anthropic, ollama };

struct parsed_request {
  wire protocol = wire::openai;
  std::string model;
  bool stream = false;
  std::string last_user_message;
  std::int64_t input_words = 0;
};

/// Reads a chat request body; nullopt-like `ok == false` when it is not one.
bool parse_chat_request(wire protocol, const std::string& body, parsed_request& out);

/// The whole HTTP response of a successful echo, streamed or not.
/// The models the server lists (GET /v1/models, /api/tags): examples, since any name works.
std::string models_response(wire protocol);

std::string echo_response(const parsed_request& r);

/// An HTTP error response with the protocol's error body.
std::string error_response(wire protocol, int status, const std::string& extra_headers = "");

/// An HTTP response with a Content-Length body.
std::string http_response(int status, const std::string& content_type, const std::string& body,
                          const std::string& extra_headers = "");

} // namespace tutti::mock_server
