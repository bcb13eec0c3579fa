// The OpenAI-compatible face of the server: each ensemble is a model ("ensemble/NAME"), and a
// chat completion runs it on the last user message, answering with its final agents' output.
#pragma once

#include "http_reply.hpp"

#include <tutti/server/run_service.hpp>

#include <string>

namespace tutti::server {

/// GET /v1/models.
http_reply list_models(const library& lib);

/// POST /v1/chat/completions; `stream: true` answers with OpenAI's SSE chunks.
http_reply chat_completion(run_service& service, const std::string& body);

} // namespace tutti::server
