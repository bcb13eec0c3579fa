#include "yaml_mapping.hpp"

#include <tutti/definition/nearest_name.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>

namespace tutti::llm_orc {
namespace {

using definition::definition_errc;

// yaml-cpp tags a quoted scalar "!" and a plain one "?": only a plain scalar can be a number,
// a boolean or null.
bool is_plain(const YAML::Node& node) {
  return node.Tag() != "!";
}

bool is_one_of(std::string_view text, std::initializer_list<std::string_view> words) {
  return std::find(words.begin(), words.end(), text) != words.end();
}

std::optional<bool> yaml11_bool(std::string_view text) {
  if (is_one_of(text, {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"})) {
    return true;
  }
  if (is_one_of(text, {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"})) {
    return false;
  }
  return std::nullopt;
}

std::optional<long long> yaml11_integer(std::string_view text) {
  auto digits = text;
  if (!digits.empty() && digits.front() == '+') {
    digits.remove_prefix(1);
  }
  long long value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc{} || end != digits.data() + digits.size() || digits.empty()) {
    return std::nullopt;
  }
  return value;
}

std::optional<double> yaml11_number(std::string_view text) {
  if (auto i = yaml11_integer(text)) {
    return static_cast<double>(*i);
  }
  if (text.empty() || text.find_first_of("0123456789") == std::string_view::npos) {
    return std::nullopt;
  }
  std::string copy{text};
  char* end = nullptr;
  double value = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

} // namespace

definition::source_location location_in(const std::string& file, const YAML::Mark& mark) {
  if (mark.line < 0) {
    return {file, 0, 0};
  }
  return {file, mark.line + 1, mark.column + 1};
}

definition::outcome<YAML::Node> parse_yaml(std::string_view text, const std::string& file) {
  try {
    return YAML::Load(std::string{text});
  } catch (const YAML::Exception& e) {
    return definition::diagnostics{
        {definition_errc::syntax_error, location_in(file, e.mark), "", e.msg}};
  }
}

namespace {

// to_json within its limits: `left` values may still be made.
std::optional<nlohmann::json> bounded_json(const YAML::Node& node, int depth, std::size_t& left) {
  if (depth > max_json_depth || left == 0) {
    return std::nullopt;
  }
  --left;
  switch (node.Type()) {
  case YAML::NodeType::Map: {
    auto object = nlohmann::json::object();
    for (const auto& entry : node) {
      auto value = bounded_json(entry.second, depth + 1, left);
      if (!value) {
        return std::nullopt;
      }
      object[entry.first.Scalar()] = std::move(*value);
    }
    return object;
  }
  case YAML::NodeType::Sequence: {
    auto array = nlohmann::json::array();
    for (const auto& item : node) {
      auto value = bounded_json(item, depth + 1, left);
      if (!value) {
        return std::nullopt;
      }
      array.push_back(std::move(*value));
    }
    return array;
  }
  case YAML::NodeType::Scalar: {
    const auto& text = node.Scalar();
    if (!is_plain(node)) {
      return text;
    }
    if (is_one_of(text, {"~", "null", "Null", "NULL"})) {
      return nullptr;
    }
    if (auto b = yaml11_bool(text)) {
      return *b;
    }
    if (auto i = yaml11_integer(text)) {
      return *i;
    }
    if (auto d = yaml11_number(text)) {
      return *d;
    }
    return text;
  }
  case YAML::NodeType::Null:
  case YAML::NodeType::Undefined:
    break;
  }
  return nullptr;
}

} // namespace

std::optional<nlohmann::json> to_json(const YAML::Node& node) {
  std::size_t left = max_json_values;
  return bounded_json(node, 0, left);
}

std::string_view kind_name(const YAML::Node& node) {
  switch (node.Type()) {
  case YAML::NodeType::Map:
    return "a mapping";
  case YAML::NodeType::Sequence:
    return "a list";
  case YAML::NodeType::Scalar:
    return "a value";
  case YAML::NodeType::Null:
  case YAML::NodeType::Undefined:
    break;
  }
  return "nothing";
}

yaml_mapping::yaml_mapping(const YAML::Node& mapping, std::string file, std::string path,
                           definition::diagnostics& out)
    : mapping_(mapping), file_(std::move(file)), path_(std::move(path)), out_(out) {}

std::optional<YAML::Node> yaml_mapping::key_node(std::string_view key) const {
  for (const auto& entry : mapping_) {
    if (entry.first.IsScalar() && entry.first.Scalar() == key) {
      return entry.first;
    }
  }
  return std::nullopt;
}

std::optional<YAML::Node> yaml_mapping::find(std::string_view key) {
  known_.emplace_back(key);
  for (const auto& entry : mapping_) {
    if (entry.first.IsScalar() && entry.first.Scalar() == key) {
      const auto& value = entry.second;
      if (value.IsNull() || (value.IsScalar() && is_plain(value) &&
                             is_one_of(value.Scalar(), {"~", "null", "Null", "NULL"}))) {
        return std::nullopt; // llm-orc reads `key:` and `key: null` as absent
      }
      return value;
    }
  }
  return std::nullopt;
}

bool yaml_mapping::has(std::string_view key) const {
  return key_node(key).has_value();
}

std::vector<std::string> yaml_mapping::keys() const {
  std::vector<std::string> names;
  for (const auto& entry : mapping_) {
    names.push_back(entry.first.IsScalar() ? entry.first.Scalar() : std::string{});
  }
  return names;
}

std::vector<std::string> yaml_mapping::unread_keys() const {
  std::vector<std::string> unread;
  for (auto& key : keys()) {
    if (std::find(known_.begin(), known_.end(), key) == known_.end()) {
      unread.push_back(std::move(key));
    }
  }
  return unread;
}

definition::source_location yaml_mapping::location() const {
  return location_in(file_, mapping_.Mark());
}

definition::source_location yaml_mapping::location_of(std::string_view key) const {
  auto node = key_node(key);
  return node ? location_in(file_, node->Mark()) : location();
}

definition::source_location yaml_mapping::value_location(std::string_view key) const {
  for (const auto& entry : mapping_) {
    if (entry.first.IsScalar() && entry.first.Scalar() == key) {
      // A null value has no position of its own.
      return location_in(file_, entry.second.IsNull() ? entry.first.Mark() : entry.second.Mark());
    }
  }
  return location();
}

std::string yaml_mapping::field(std::string_view key) const {
  return path_.empty() ? std::string{key} : path_ + "." + std::string{key};
}

void yaml_mapping::report(definition_errc code, std::string_view key, std::string message) {
  out_.push_back({code, location_of(key), field(key), std::move(message)});
}

void yaml_mapping::report_value(definition_errc code, std::string_view key, std::string message) {
  out_.push_back({code, value_location(key), field(key), std::move(message)});
}

void yaml_mapping::wrong_type(std::string_view key, const YAML::Node& value,
                              std::string_view expected) {
  report_value(definition_errc::wrong_type, key,
               "expected " + std::string{expected} + ", got " + std::string{kind_name(value)});
}

std::optional<YAML::Node> yaml_mapping::scalar(std::string_view key, std::string_view expected) {
  auto value = find(key);
  if (value && !value->IsScalar()) {
    wrong_type(key, *value, expected);
    return std::nullopt;
  }
  return value;
}

std::optional<std::string> yaml_mapping::text(std::string_view key) {
  auto value = scalar(key, "a string");
  if (!value) {
    return std::nullopt;
  }
  return value->Scalar();
}

std::optional<std::string> yaml_mapping::required_text(std::string_view key) {
  auto value = text(key);
  if (!value) {
    if (!has(key)) {
      report(definition_errc::missing_field, key, "is required");
    } else if (find(key) == std::nullopt) {
      report_value(definition_errc::empty_field, key, "must not be empty");
    }
    return std::nullopt;
  }
  if (value->empty()) {
    report_value(definition_errc::empty_field, key, "must not be empty");
    return std::nullopt;
  }
  return value;
}

std::optional<bool> yaml_mapping::flag(std::string_view key) {
  auto value = scalar(key, "true or false");
  if (!value) {
    return std::nullopt;
  }
  if (auto b = is_plain(*value) ? yaml11_bool(value->Scalar()) : std::nullopt) {
    return b;
  }
  report_value(definition_errc::wrong_type, key,
               "expected true or false, got '" + value->Scalar() + "'");
  return std::nullopt;
}

std::optional<int> yaml_mapping::integer(std::string_view key, definition::value_range<int> range) {
  auto value = scalar(key, "an integer");
  if (!value) {
    return std::nullopt;
  }
  auto i = is_plain(*value) ? yaml11_integer(value->Scalar()) : std::nullopt;
  if (!i) {
    report_value(definition_errc::wrong_type, key,
                 "expected an integer, got '" + value->Scalar() + "'");
    return std::nullopt;
  }
  if (auto problem = definition::range_problem(*i, range)) {
    report_value(definition_errc::out_of_range, key, std::move(*problem));
    return std::nullopt;
  }
  return static_cast<int>(*i);
}

std::optional<double> yaml_mapping::number(std::string_view key,
                                           definition::value_range<double> range) {
  auto value = scalar(key, "a number");
  if (!value) {
    return std::nullopt;
  }
  auto d = is_plain(*value) ? yaml11_number(value->Scalar()) : std::nullopt;
  if (!d) {
    report_value(definition_errc::wrong_type, key,
                 "expected a number, got '" + value->Scalar() + "'");
    return std::nullopt;
  }
  if (auto problem = definition::range_problem(*d, range)) {
    report_value(definition_errc::out_of_range, key, std::move(*problem));
    return std::nullopt;
  }
  return d;
}

std::optional<std::chrono::milliseconds> yaml_mapping::seconds(std::string_view key) {
  auto value = number(key, {0.0, definition::max_seconds});
  if (!value) {
    return std::nullopt;
  }
  if (*value <= 0.0) {
    report_value(definition_errc::out_of_range, key,
                 "must be a number of seconds greater than 0, got " +
                     definition::number_text(*value));
    return std::nullopt;
  }
  auto ms = std::chrono::milliseconds{static_cast<long long>(std::llround(*value * 1000.0))};
  return std::max(ms, std::chrono::milliseconds{1});
}

std::optional<YAML::Node> yaml_mapping::mapping(std::string_view key) {
  auto value = find(key);
  if (value && !value->IsMap()) {
    wrong_type(key, *value, "a mapping");
    return std::nullopt;
  }
  return value;
}

std::optional<YAML::Node> yaml_mapping::sequence(std::string_view key) {
  auto value = find(key);
  if (value && !value->IsSequence()) {
    wrong_type(key, *value, "a list");
    return std::nullopt;
  }
  return value;
}

void yaml_mapping::report_unknown_keys(std::string_view why) {
  for (const auto& key : unread_keys()) {
    report(definition_errc::unknown_key, key,
           "unknown key" + std::string{why} + definition::did_you_mean(key, known_));
  }
}

} // namespace tutti::llm_orc
