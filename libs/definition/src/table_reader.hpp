// Reads typed fields from one TOML table, reporting wrong types, bad values and, at the end,
// any key it was never asked for (with the nearest known key as a suggestion).
#pragma once

#include <tutti/definition/concurrency_limit.hpp>
#include <tutti/definition/diagnostic.hpp>
#include <tutti/definition/outcome.hpp>
#include <tutti/definition/value_ranges.hpp>

#include <nlohmann/json.hpp>
#include <toml++/toml.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace tutti::definition {

/// The position of a toml++ node in `file`.
source_location location_in(const std::string& file, const toml::source_region& region);

/// The document, or its syntax error at file:line:column.
outcome<toml::table> parse_toml(std::string_view text, const std::string& file);

class table_reader {
 public:
  /// `path` is the dotted field path of the table ("" at top level, "agents.security").
  table_reader(const toml::table& table, std::string file, std::string path, diagnostics& out);

  std::optional<std::string> text(std::string_view key);
  /// A string that must be present and non-empty.
  std::optional<std::string> required_text(std::string_view key);
  /// A string that may be absent but, when present, must not be empty.
  std::optional<std::string> non_empty_text(std::string_view key);
  std::optional<int> integer(std::string_view key, value_range<int> range);
  std::optional<double> number(std::string_view key, value_range<double> range);
  /// A positive number of seconds, integer or fractional.
  std::optional<std::chrono::milliseconds> seconds(std::string_view key);
  std::optional<std::vector<std::string>> text_list(std::string_view key);
  /// true or false, or a non-empty string.
  std::optional<std::variant<bool, std::string>> flag_or_text(std::string_view key);
  /// A positive integer or "unlimited".
  std::optional<concurrency_limit> limit(std::string_view key);
  /// An absolute http:// or https:// URL with a host; a trailing slash is dropped.
  std::optional<std::string> url(std::string_view key);
  /// One of `choices`; anything else is reported with the choices and the nearest one.
  std::optional<std::string> choice(std::string_view key, const std::vector<std::string>& choices);
  const toml::table* table(std::string_view key);
  /// A table (inline or not) as JSON: strings, numbers, booleans, arrays and tables as they
  /// are, dates and times as their TOML text.
  std::optional<nlohmann::json> json_table(std::string_view key);
  const toml::array* table_array(std::string_view key);

  bool has(std::string_view key) const { return table_.contains(key); }
  /// Whether `key` holds exactly the string `value`.
  bool has_text(std::string_view key, std::string_view value) const;
  source_location location() const;
  source_location location_of(std::string_view key) const;
  std::string field(std::string_view key) const;
  const std::string& file() const { return file_; }
  diagnostics& problems() { return out_; }
  void set_path(std::string path) { path_ = std::move(path); }
  /// Reports a problem at the key, for problems of the key itself (missing, unknown).
  void report(definition_errc code, std::string_view key, std::string message);
  /// Reports a problem at the key's value, for values of the wrong type or out of range.
  void report_value(definition_errc code, std::string_view key, std::string message);

  /// Reports every key of the table that no accessor asked for.
  void report_unknown_keys();

 private:
  // The node under `key` if present (remembering the key as known), else nullptr.
  const toml::node* find(std::string_view key);
  void wrong_type(std::string_view key, const toml::node& node, std::string_view expected);

  const toml::table& table_;
  std::string file_;
  std::string path_;
  diagnostics& out_;
  std::vector<std::string> known_;
};

} // namespace tutti::definition
