// Reads typed fields from one YAML mapping, reporting wrong types and bad values at their
// line and column and, at the end, any key it was never asked for: table_reader's shape, for
// llm-orc's YAML.
#pragma once

#include <tutti/definition/diagnostic.hpp>
#include <tutti/definition/outcome.hpp>
#include <tutti/definition/value_ranges.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include <yaml-cpp/yaml.h>

namespace tutti::llm_orc {

/// Where a node is in `file`: yaml-cpp counts lines and columns from 0, diagnostics from 1.
definition::source_location location_in(const std::string& file, const YAML::Mark& mark);

/// The document, or its syntax error at file:line:column.
definition::outcome<YAML::Node> parse_yaml(std::string_view text, const std::string& file);

/// A scalar as JSON: quoted scalars are strings; plain ones are null, booleans and numbers
/// as YAML 1.1 (PyYAML's safe_load, which llm-orc uses) reads them, else strings.
/// nullopt for a value nested deeper than max_json_depth or, aliases followed, of more than
/// max_json_values values: what an alias to itself or a chain of aliases ("billion laughs")
/// makes of a few bytes.
inline constexpr int max_json_depth = 64;
inline constexpr std::size_t max_json_values = 100'000;
std::optional<nlohmann::json> to_json(const YAML::Node& node);

class yaml_mapping {
 public:
  /// `path` is the dotted field path of the mapping ("" at top level, "agents.review").
  yaml_mapping(const YAML::Node& mapping, std::string file, std::string path,
               definition::diagnostics& out);

  /// The value under `key`, remembering the key as known; nullopt when absent or null.
  std::optional<YAML::Node> find(std::string_view key);
  /// Marks `key` as known without reading it.
  void accept(std::string_view key) { known_.emplace_back(key); }

  /// A scalar, as text.
  std::optional<std::string> text(std::string_view key);
  /// A scalar that must be present and non-empty.
  std::optional<std::string> required_text(std::string_view key);
  std::optional<bool> flag(std::string_view key);
  std::optional<int> integer(std::string_view key, definition::value_range<int> range);
  std::optional<double> number(std::string_view key, definition::value_range<double> range);
  /// A positive number of seconds.
  std::optional<std::chrono::milliseconds> seconds(std::string_view key);
  /// A mapping, or nullopt (reported when the value is something else).
  std::optional<YAML::Node> mapping(std::string_view key);
  std::optional<YAML::Node> sequence(std::string_view key);

  bool has(std::string_view key) const;
  /// The keys in the order written.
  std::vector<std::string> keys() const;
  /// The keys no accessor asked for, in the order written.
  std::vector<std::string> unread_keys() const;
  /// The keys asked for.
  const std::vector<std::string>& known() const { return known_; }
  definition::source_location location() const;
  definition::source_location location_of(std::string_view key) const;
  definition::source_location value_location(std::string_view key) const;
  std::string field(std::string_view key) const;
  const std::string& file() const { return file_; }
  const std::string& path() const { return path_; }
  void set_path(std::string path) { path_ = std::move(path); }
  definition::diagnostics& problems() { return out_; }

  /// A problem of the key itself (missing, unknown, not supported).
  void report(definition::definition_errc code, std::string_view key, std::string message);
  /// A problem of the key's value (wrong type, out of range).
  void report_value(definition::definition_errc code, std::string_view key, std::string message);
  /// Reports every key no accessor asked for, with the nearest known key as a suggestion;
  /// `why` follows "unknown key".
  void report_unknown_keys(std::string_view why = "");

 private:
  // The key node of `key`, if present.
  std::optional<YAML::Node> key_node(std::string_view key) const;
  std::optional<YAML::Node> scalar(std::string_view key, std::string_view expected);
  void wrong_type(std::string_view key, const YAML::Node& value, std::string_view expected);

  YAML::Node mapping_;
  std::string file_;
  std::string path_;
  definition::diagnostics& out_;
  std::vector<std::string> known_;
};

/// "a mapping", "a list", "a value": what a YAML node is, for messages.
std::string_view kind_name(const YAML::Node& node);

} // namespace tutti::llm_orc
