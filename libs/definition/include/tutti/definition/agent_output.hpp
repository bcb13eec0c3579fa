// An agent's output read as data: by conditions, by scripts that take JSON, and by a fan-out
// agent that splits it into items.
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace tutti::definition {

/// Its JSON when the whole output is JSON, else its text as a JSON string.
nlohmann::json json_or_text(std::string_view output);

/// `value` as JSON text on one line, with bytes that are not UTF-8 replaced: what an agent
/// gives may be any bytes, and nlohmann's dump() throws on them.
std::string json_text(const nlohmann::json& value);

/// A field of an output, picked by input_key: its text (a string as it is, any other value as
/// JSON), or, when not found, why not.
struct picked_field {
  bool found = false;
  std::string text;
};
picked_field pick_field(std::string_view output, const std::string& key);

/// The most instances one fan-out agent may run: a guard against an output that splits into
/// millions of lines, not a limit anyone should meet.
inline constexpr std::size_t max_fan_out_items = 10'000;

/// The items of an output a fan-out agent splits, each as the text its instance is given: the
/// elements of a JSON array (or of {"data": [...]}, as llm-orc writes it), strings as they are
/// and other values as JSON; of an output that is not JSON, each non-empty line. Or why it
/// cannot be split: JSON that holds no array, or more than max_fan_out_items items.
std::variant<std::vector<std::string>, std::string> fan_out_items(std::string_view output);

} // namespace tutti::definition
