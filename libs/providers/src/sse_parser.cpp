#include <tutti/providers/sse_parser.hpp>

namespace tutti::providers {

std::vector<sse_event> sse_parser::feed(std::string_view bytes) {
  std::vector<sse_event> out;
  for (char c : bytes) {
    if (c == '\n') {
      if (!line_.empty() && line_.back() == '\r') {
        line_.pop_back();
      }
      take_line(line_, out);
      line_.clear();
    } else {
      line_ += c;
    }
  }
  return out;
}

void sse_parser::take_line(std::string_view line, std::vector<sse_event>& out) {
  if (line.empty()) {
    if (has_fields_) {
      out.push_back(std::move(current_));
      current_ = {};
      has_fields_ = false;
    }
    return;
  }
  if (line.front() == ':') {
    return; // a comment, often a keep-alive
  }
  auto colon = line.find(':');
  auto field = line.substr(0, colon);
  std::string_view value;
  if (colon != std::string_view::npos) {
    value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') {
      value.remove_prefix(1);
    }
  }
  if (field == "data") {
    if (has_fields_ && !current_.data.empty()) {
      current_.data += '\n';
    }
    current_.data += value;
    has_fields_ = true;
  } else if (field == "event") {
    current_.event = std::string{value};
    has_fields_ = true;
  }
}

std::vector<std::string> ndjson_parser::feed(std::string_view bytes) {
  std::vector<std::string> out;
  for (char c : bytes) {
    if (c != '\n') {
      line_ += c;
      continue;
    }
    if (!line_.empty() && line_.back() == '\r') {
      line_.pop_back();
    }
    if (!line_.empty()) {
      out.push_back(std::move(line_));
    }
    line_.clear();
  }
  return out;
}

} // namespace tutti::providers
