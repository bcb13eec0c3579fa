#include "table_reader.hpp"

#include <tutti/definition/nearest_name.hpp>
#include <tutti/definition/server_url.hpp>

#include <algorithm>
#include <cmath>
#include <optional>
#include <sstream>

namespace tutti::definition {
namespace {

std::string_view type_name(toml::node_type t) {
  switch (t) {
  case toml::node_type::table:
    return "a table";
  case toml::node_type::array:
    return "an array";
  case toml::node_type::string:
    return "a string";
  case toml::node_type::integer:
    return "an integer";
  case toml::node_type::floating_point:
    return "a number";
  case toml::node_type::boolean:
    return "a boolean";
  case toml::node_type::date:
  case toml::node_type::time:
  case toml::node_type::date_time:
    return "a date or time";
  case toml::node_type::none:
    break;
  }
  return "nothing";
}

// toml++ recurses once per part of a dotted key ([a.b.c] or a.b.c = 1), so a key of
// 100,000 parts overflows the stack before anything is reported. Such keys are refused
// first: the key of each line (up to '=' or a header's ']') may have at most this many parts.
constexpr std::size_t max_key_parts = 256;

// The number of the first line whose key has too many parts, if any. Lines inside
// multi-line strings are skipped; a bracketed line with a comma is an array, not a header.
std::optional<int> line_with_too_deep_key(std::string_view text) {
  bool in_multiline_string = false;
  int number = 0;
  for (std::size_t at = 0; at <= text.size();) {
    auto end = std::min(text.find('\n', at), text.size());
    auto line = text.substr(at, end - at);
    at = end + 1;
    ++number;
    const bool starts_inside = in_multiline_string;
    for (auto quote : {std::string_view{"\"\"\""}, std::string_view{"\'\'\'"}}) {
      for (auto q = line.find(quote); q != std::string_view::npos; q = line.find(quote, q + 3)) {
        in_multiline_string = !in_multiline_string;
      }
    }
    if (starts_inside) {
      continue;
    }
    auto first = line.find_first_not_of(" \t");
    if (first == std::string_view::npos) {
      continue;
    }
    auto key = line.substr(first, line.find(line[first] == '[' ? ']' : '=', first) - first);
    std::size_t dots = 0;
    char quote = 0;
    for (char c : key) {
      if (quote != 0) {
        quote = c == quote ? 0 : quote;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == ',') {
        dots = 0;
        break;
      } else {
        dots += c == '.' ? 1 : 0;
      }
    }
    if (dots >= max_key_parts) {
      return number;
    }
  }
  return std::nullopt;
}

} // namespace

source_location location_in(const std::string& file, const toml::source_region& region) {
  return {file, static_cast<int>(region.begin.line), static_cast<int>(region.begin.column)};
}

outcome<toml::table> parse_toml(std::string_view text, const std::string& file) {
  if (auto line = line_with_too_deep_key(text)) {
    return diagnostics{
        {definition_errc::syntax_error,
         {file, *line, 1},
         "",
         "a dotted key of more than " + std::to_string(max_key_parts) + " parts is not supported"}};
  }
  try {
    return toml::parse(text, std::string_view{file});
  } catch (const toml::parse_error& e) {
    return diagnostics{{definition_errc::syntax_error, location_in(file, e.source()), "",
                        std::string{e.description()}}};
  }
}

table_reader::table_reader(const toml::table& table, std::string file, std::string path,
                           diagnostics& out)
    : table_(table), file_(std::move(file)), path_(std::move(path)), out_(out) {}

const toml::node* table_reader::find(std::string_view key) {
  known_.emplace_back(key);
  return table_.get(key);
}

bool table_reader::has_text(std::string_view key, std::string_view value) const {
  const auto* node = table_.get(key);
  return node != nullptr && node->is_string() && node->as_string()->get() == value;
}

source_location table_reader::location() const {
  return location_in(file_, table_.source());
}

source_location table_reader::location_of(std::string_view key) const {
  auto i = table_.find(key);
  if (i == table_.end()) {
    return location();
  }
  return location_in(file_, i->first.source());
}

std::string table_reader::field(std::string_view key) const {
  return path_.empty() ? std::string{key} : path_ + "." + std::string{key};
}

void table_reader::report(definition_errc code, std::string_view key, std::string message) {
  out_.push_back({code, location_of(key), field(key), std::move(message)});
}

void table_reader::report_value(definition_errc code, std::string_view key, std::string message) {
  const auto* node = table_.get(key);
  auto where = node == nullptr ? location_of(key) : location_in(file_, node->source());
  out_.push_back({code, where, field(key), std::move(message)});
}

void table_reader::wrong_type(std::string_view key, const toml::node& node,
                              std::string_view expected) {
  report_value(definition_errc::wrong_type, key,
               "expected " + std::string{expected} + ", got " +
                   std::string{type_name(node.type())});
}

std::optional<std::string> table_reader::text(std::string_view key) {
  const auto* node = find(key);
  if (node == nullptr) {
    return std::nullopt;
  }
  if (const auto* s = node->as_string()) {
    return s->get();
  }
  wrong_type(key, *node, "a string");
  return std::nullopt;
}

std::optional<std::variant<bool, std::string>> table_reader::flag_or_text(std::string_view key) {
  const auto* node = find(key);
  if (node == nullptr) {
    return std::nullopt;
  }
  if (const auto* b = node->as_boolean()) {
    return b->get();
  }
  if (const auto* s = node->as_string(); s != nullptr && !s->get().empty()) {
    return s->get();
  }
  wrong_type(key, *node, "true, false or an agent's name");
  return std::nullopt;
}

std::optional<std::string> table_reader::required_text(std::string_view key) {
  if (!has(key)) {
    find(key);
    report(definition_errc::missing_field, key, "is required");
    return std::nullopt;
  }
  return non_empty_text(key);
}

std::optional<std::string> table_reader::non_empty_text(std::string_view key) {
  auto value = text(key);
  if (value && value->empty()) {
    report_value(definition_errc::empty_field, key, "must not be empty");
    return std::nullopt;
  }
  return value;
}

std::optional<int> table_reader::integer(std::string_view key, value_range<int> range) {
  const auto* node = find(key);
  if (node == nullptr) {
    return std::nullopt;
  }
  const auto* i = node->as_integer();
  if (i == nullptr) {
    wrong_type(key, *node, "an integer");
    return std::nullopt;
  }
  if (auto problem = range_problem(i->get(), range)) {
    report_value(definition_errc::out_of_range, key, std::move(*problem));
    return std::nullopt;
  }
  return static_cast<int>(i->get());
}

std::optional<double> table_reader::number(std::string_view key, value_range<double> range) {
  const auto* node = find(key);
  if (node == nullptr) {
    return std::nullopt;
  }
  if (!node->is_number()) {
    wrong_type(key, *node, "a number");
    return std::nullopt;
  }
  double value = node->value<double>().value_or(0.0);
  if (auto problem = range_problem(value, range)) {
    report_value(definition_errc::out_of_range, key, std::move(*problem));
    return std::nullopt;
  }
  return value;
}

std::optional<std::chrono::milliseconds> table_reader::seconds(std::string_view key) {
  const auto* node = find(key);
  if (node == nullptr) {
    return std::nullopt;
  }
  if (!node->is_number()) {
    wrong_type(key, *node, "a number of seconds");
    return std::nullopt;
  }
  double value = node->value<double>().value_or(0.0);
  if (!(value > 0.0 && value <= max_seconds)) {
    report_value(definition_errc::out_of_range, key,
                 "must be a number of seconds greater than 0 (and at most a year), got " +
                     number_text(value));
    return std::nullopt;
  }
  auto ms = std::chrono::milliseconds{static_cast<long long>(std::llround(value * 1000.0))};
  return std::max(ms, std::chrono::milliseconds{1});
}

std::optional<std::vector<std::string>> table_reader::text_list(std::string_view key) {
  const auto* node = find(key);
  if (node == nullptr) {
    return std::nullopt;
  }
  const auto* array = node->as_array();
  if (array == nullptr) {
    wrong_type(key, *node, "an array of strings");
    return std::nullopt;
  }
  std::vector<std::string> values;
  bool all_strings = true;
  for (const auto& element : *array) {
    if (const auto* s = element.as_string()) {
      values.push_back(s->get());
    } else {
      out_.push_back(
          {definition_errc::wrong_type, location_in(file_, element.source()), field(key),
           "expected strings in the array, got " + std::string{type_name(element.type())}});
      all_strings = false;
    }
  }
  if (!all_strings) {
    return std::nullopt;
  }
  return values;
}

std::optional<concurrency_limit> table_reader::limit(std::string_view key) {
  const auto* node = find(key);
  if (node == nullptr) {
    return std::nullopt;
  }
  if (const auto* s = node->as_string()) {
    if (s->get() == "unlimited") {
      return concurrency_limit::unlimited();
    }
  } else if (const auto* i = node->as_integer()) {
    if (i->get() >= 1 && i->get() <= 1'000'000) {
      return concurrency_limit::at_most(static_cast<int>(i->get()));
    }
    report_value(definition_errc::out_of_range, key,
                 "must be between 1 and 1000000 or \"unlimited\", got " + std::to_string(i->get()));
    return std::nullopt;
  }
  report_value(definition_errc::invalid_value, key, "must be a positive integer or \"unlimited\"");
  return std::nullopt;
}

std::optional<std::string> table_reader::url(std::string_view key) {
  auto value = text(key);
  if (!value) {
    return std::nullopt;
  }
  auto parsed = parse_server_url(*value);
  if (!parsed) {
    report_value(
        definition_errc::invalid_value, key,
        "'" + *value +
            "' is not an http:// or https:// URL with a host (and a port from 1 to 65535)");
    return std::nullopt;
  }
  if (parsed->has_userinfo) {
    // Plans, statistics and errors print URLs; a password in one would be printed too.
    report_value(definition_errc::invalid_value, key,
                 "a user name or password does not belong in a URL, where it would be printed; "
                 "give the key in api_key_env");
    return std::nullopt;
  }
  while (!value->empty() && value->back() == '/') {
    value->pop_back();
  }
  return value;
}

std::optional<std::string> table_reader::choice(std::string_view key,
                                                const std::vector<std::string>& choices) {
  auto value = text(key);
  if (!value || std::find(choices.begin(), choices.end(), *value) != choices.end()) {
    return value;
  }
  std::string listed;
  for (const auto& c : choices) {
    listed += (listed.empty() ? "" : ", ") + c;
  }
  report_value(definition_errc::invalid_value, key,
               "'" + *value + "' is not one of " + listed + did_you_mean(*value, choices));
  return std::nullopt;
}

const toml::table* table_reader::table(std::string_view key) {
  const auto* node = find(key);
  if (node == nullptr) {
    return nullptr;
  }
  if (const auto* t = node->as_table()) {
    return t;
  }
  wrong_type(key, *node, "a table");
  return nullptr;
}

namespace {

nlohmann::json json_of(const toml::node& node) {
  if (const auto* t = node.as_table()) {
    auto j = nlohmann::json::object();
    for (const auto& [key, value] : *t) {
      j[std::string{key.str()}] = json_of(value);
    }
    return j;
  }
  if (const auto* a = node.as_array()) {
    auto j = nlohmann::json::array();
    for (const auto& value : *a) {
      j.push_back(json_of(value));
    }
    return j;
  }
  if (const auto* text = node.as_string()) {
    return text->get();
  }
  if (const auto* integer = node.as_integer()) {
    return integer->get();
  }
  if (const auto* number = node.as_floating_point()) {
    return number->get();
  }
  if (const auto* flag = node.as_boolean()) {
    return flag->get();
  }
  std::ostringstream text; // a date or a time: as TOML writes it
  node.visit([&](const auto& value) { text << value; });
  return text.str();
}

} // namespace

std::optional<nlohmann::json> table_reader::json_table(std::string_view key) {
  const auto* t = table(key);
  if (t == nullptr) {
    return std::nullopt;
  }
  return json_of(*t);
}

const toml::array* table_reader::table_array(std::string_view key) {
  const auto* node = find(key);
  if (node == nullptr) {
    return nullptr;
  }
  const auto* array = node->as_array();
  if (array == nullptr || !array->is_array_of_tables()) {
    wrong_type(key, *node, "an array of tables ([[" + std::string{key} + "]])");
    return nullptr;
  }
  return array;
}

void table_reader::report_unknown_keys() {
  for (const auto& [key, node] : table_) {
    if (std::find(known_.begin(), known_.end(), key.str()) != known_.end()) {
      continue;
    }
    out_.push_back({definition_errc::unknown_key, location_in(file_, key.source()),
                    field(key.str()), "unknown key" + did_you_mean(key.str(), known_)});
  }
}

} // namespace tutti::definition
