// Server-Sent Events of a run: its own events as they happen, or the chunks of an OpenAI chat
// completion made of its final agents' output.
#pragma once

#include "http_reply.hpp"

#include <tutti/server/run_record.hpp>

#include <cstddef>
#include <memory>
#include <string>

namespace tutti::server {

/// "id: N\ndata: TEXT\n\n" (no id when N is empty); TEXT holds no newline.
std::string sse_event(const std::string& data, const std::string& id = {});

/// Every event of `record` from index `from` on, each with its index as the SSE id, ending
/// after the run's end.
std::shared_ptr<event_source> run_event_stream(std::shared_ptr<run_record> record,
                                               std::size_t from);

} // namespace tutti::server
