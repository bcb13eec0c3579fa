#include "json_errors.hpp"

#include <nlohmann/json.hpp>

#include <ostream>

namespace tutti::cli {
namespace {

constexpr std::string_view error_prefix = "error: ";

// A usage mistake ends by pointing at --help (see report_usage_error).
bool is_usage_mistake(const std::string& message) {
  return message.ends_with(" --help");
}

} // namespace

error_capture::error_capture(std::ostream& through) : through_(through) {}

error_capture::~error_capture() {
  if (!line_.empty()) {
    end_line();
  }
}

const std::vector<std::string>& error_capture::errors() {
  if (!line_.empty()) {
    end_line();
  }
  return errors_;
}

int error_capture::overflow(int c) {
  if (c == traits_type::eof()) {
    return traits_type::not_eof(c);
  }
  line_ += static_cast<char>(c);
  if (c == '\n') {
    end_line();
  }
  return c;
}

int error_capture::sync() {
  through_.flush();
  return 0;
}

void error_capture::end_line() {
  if (line_.starts_with(error_prefix)) {
    auto message = line_.substr(error_prefix.size());
    while (!message.empty() && message.back() == '\n') {
      message.pop_back();
    }
    errors_.push_back(std::move(message));
  } else {
    through_ << line_;
    through_.flush();
  }
  line_.clear();
}

std::string errors_json(const definition::diagnostics& problems,
                        const std::vector<std::string>& said) {
  using json = nlohmann::ordered_json;
  json errors = json::array();
  for (const auto& p : problems) {
    json e{{"code", definition::to_string(p.code)}, {"message", p.message}};
    e["file"] = p.where.file.empty() ? json(nullptr) : json(p.where.file);
    e["line"] = p.where.line > 0 ? json(p.where.line) : json(nullptr);
    e["column"] = p.where.column > 0 ? json(p.where.column) : json(nullptr);
    e["field"] = p.field.empty() ? json(nullptr) : json(p.field);
    errors.push_back(std::move(e));
  }
  for (const auto& message : said) {
    errors.push_back({{"code", is_usage_mistake(message) ? "usage" : "invalid_input"},
                      {"message", message},
                      {"file", nullptr},
                      {"line", nullptr},
                      {"column", nullptr},
                      {"field", nullptr}});
  }
  json doc;
  doc["error"] = errors.empty() ? json{{"code", "invalid_input"}, {"message", "the command failed"},
                                       {"file", nullptr},         {"line", nullptr},
                                       {"column", nullptr},       {"field", nullptr}}
                                : errors.front();
  doc["errors"] = std::move(errors);
  return doc.dump(2, ' ', false, json::error_handler_t::replace);
}

} // namespace tutti::cli
