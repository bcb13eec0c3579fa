#include <tutti/definition/agent_output.hpp>
#include <tutti/definition/output_schema.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>

namespace tutti::definition {
namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 7> type_names{"object",  "array",   "string", "number",
                                                     "integer", "boolean", "null"};

// A value as a mismatch names it: short, on one line.
std::string shown(const json& value) {
  auto text = json_text(value);
  constexpr std::size_t longest = 60;
  return text.size() > longest ? text.substr(0, longest) + "..." : text;
}

bool has_type(const json& value, std::string_view type) {
  if (type == "object") {
    return value.is_object();
  }
  if (type == "array") {
    return value.is_array();
  }
  if (type == "string") {
    return value.is_string();
  }
  if (type == "number") {
    return value.is_number();
  }
  if (type == "integer") {
    if (value.is_number_integer() || value.is_number_unsigned()) {
      return true;
    }
    return value.is_number_float() && std::isfinite(value.get<double>()) &&
           std::trunc(value.get<double>()) == value.get<double>();
  }
  if (type == "boolean") {
    return value.is_boolean();
  }
  return value.is_null();
}

void check_schema(const json& schema, const std::string& at, std::vector<std::string>& out) {
  const auto where = [&](std::string_view key) {
    return (at.empty() ? "" : at + ".") + std::string{key};
  };
  if (!schema.is_object()) {
    out.push_back((at.empty() ? std::string{"the schema"} : at) + ": must be a table");
    return;
  }
  for (const auto& [key, value] : schema.items()) {
    if (key == "type") {
      if (!value.is_string() || std::find(type_names.begin(), type_names.end(),
                                          value.get<std::string>()) == type_names.end()) {
        out.push_back(where(key) +
                      ": must be one of object, array, string, number, integer, boolean, null");
      }
    } else if (key == "properties") {
      if (!value.is_object()) {
        out.push_back(where(key) + ": must be a table of the properties' schemas");
        continue;
      }
      for (const auto& [name, property] : value.items()) {
        check_schema(property, where(key) + "." + name, out);
      }
    } else if (key == "required") {
      if (!value.is_array() ||
          !std::all_of(value.begin(), value.end(), [](const json& v) { return v.is_string(); })) {
        out.push_back(where(key) + ": must be a list of property names");
      }
    } else if (key == "items") {
      check_schema(value, where(key), out);
    } else if (key == "enum") {
      if (!value.is_array() || value.empty()) {
        out.push_back(where(key) + ": must be a list of the values allowed");
      }
    } else if (key != "description") {
      out.push_back(where(key) + ": is not in the schema subset tutti checks (type, "
                                 "properties, required, items, enum, description)");
    }
  }
}

std::optional<std::string> first_mismatch(const json& schema, const json& value,
                                          const std::string& at) {
  if (auto type = schema.find("type"); type != schema.end()) {
    if (!has_type(value, type->get<std::string>())) {
      const auto& name = type->get_ref<const std::string&>();
      const bool vowel = name.front() == 'a' || name.front() == 'i' || name.front() == 'o';
      return at + ": expected " + (vowel ? "an " : "a ") + name + ", got " + shown(value);
    }
  }
  if (auto allowed = schema.find("enum"); allowed != schema.end()) {
    if (std::find(allowed->begin(), allowed->end(), value) == allowed->end()) {
      return at + ": " + shown(value) + " is not one of " + shown(*allowed);
    }
  }
  if (value.is_object()) {
    const auto required = schema.value("required", json::array());
    for (const auto& name : required) {
      if (!value.contains(name.get<std::string>())) {
        return at + ": the property '" + name.get<std::string>() + "' is missing";
      }
    }
    const auto properties = schema.value("properties", json::object());
    for (const auto& [name, property] : properties.items()) {
      if (auto found = value.find(name); found != value.end()) {
        if (auto why = first_mismatch(property, *found, at + "." + name)) {
          return why;
        }
      }
    }
  }
  if (value.is_array()) {
    if (auto items = schema.find("items"); items != schema.end()) {
      for (std::size_t i = 0; i < value.size(); ++i) {
        if (auto why = first_mismatch(*items, value[i], at + "[" + std::to_string(i) + "]")) {
          return why;
        }
      }
    }
  }
  return std::nullopt;
}

std::string_view trimmed(std::string_view text) {
  const auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!text.empty() && space(text.front())) {
    text.remove_prefix(1);
  }
  while (!text.empty() && space(text.back())) {
    text.remove_suffix(1);
  }
  return text;
}

// The text of the first Markdown code fence in an answer (```json ... ```), without its
// language line; nullopt when it has none.
std::optional<std::string_view> fenced(std::string_view text) {
  constexpr std::string_view fence = "```";
  const auto open = text.find(fence);
  if (open == std::string_view::npos) {
    return std::nullopt;
  }
  const auto line_end = text.find('\n', open);
  if (line_end == std::string_view::npos) {
    return std::nullopt;
  }
  const auto close = text.find(fence, line_end + 1);
  if (close == std::string_view::npos) {
    return std::nullopt;
  }
  return text.substr(line_end + 1, close - line_end - 1);
}

} // namespace

std::vector<std::string> schema_problems(const json& schema) {
  std::vector<std::string> out;
  check_schema(schema, "", out);
  return out;
}

std::optional<std::string> schema_mismatch(const json& schema, const json& value) {
  return first_mismatch(schema, value, "$");
}

std::variant<json, std::string> read_output(std::string_view text,
                                            const output_contract& contract) {
  // The whole answer, or what it has inside a code fence, as models often write it.
  auto value = json::parse(trimmed(text), nullptr, false);
  if (auto inside = fenced(text); value.is_discarded() && inside) {
    value = json::parse(*inside, nullptr, false);
  }
  if (value.is_discarded()) {
    return "the answer is not JSON (it begins: " + shown(json(std::string{text.substr(0, 80)})) +
           ")";
  }
  if (contract.schema) {
    if (auto why = schema_mismatch(*contract.schema, value)) {
      return "the answer does not match output_schema: " + *why;
    }
  }
  return value;
}

std::string output_instruction(const output_contract& contract) {
  return contract.schema
             ? "\n\nAnswer with only a JSON value that matches this JSON Schema, and nothing "
               "else:\n" +
                   json_text(*contract.schema)
             : "\n\nAnswer with only a JSON value, and nothing else.";
}

} // namespace tutti::definition
