// Server-sent events, parsed incrementally: bytes arrive in pieces split anywhere (inside a
// line, inside a UTF-8 sequence), events come out whole.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tutti::providers {

struct sse_event {
  std::string event; // the `event:` field; empty means "message"
  std::string data;  // the `data:` lines, joined with '\n'
};

class sse_parser {
 public:
  /// Feeds the next bytes; returns the events they complete, in order.
  std::vector<sse_event> feed(std::string_view bytes);
  /// Whether bytes of an unfinished event are buffered (a stream cut here lost them).
  bool has_partial_event() const { return !line_.empty() || has_fields_; }

 private:
  void take_line(std::string_view line, std::vector<sse_event>& out);

  std::string line_;
  sse_event current_;
  bool has_fields_ = false;
};

/// Newline-delimited JSON (Ollama's stream), parsed incrementally the same way.
class ndjson_parser {
 public:
  /// Feeds the next bytes; returns the complete, non-empty lines they finish.
  std::vector<std::string> feed(std::string_view bytes);
  bool has_partial_line() const { return !line_.empty(); }

 private:
  std::string line_;
};

} // namespace tutti::providers
