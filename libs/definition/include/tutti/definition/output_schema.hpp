// What an agent's answer must be (output_format = "json", output_schema = {...}): JSON, and,
// with a schema, JSON of a given shape. The schema is a subset of JSON Schema that models'
// JSON modes and people both read the same way:
//
//   type        "object", "array", "string", "number", "integer", "boolean" or "null"
//   properties  for an object: each named property's schema
//   required    for an object: the properties it must have
//   items       for an array: every item's schema
//   enum        the values allowed
//   description ignored here; it tells the model what a field is for
//
// Pure: no I/O.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace tutti::definition {

/// What an agent's answer must be: JSON, matching `schema` when there is one.
struct output_contract {
  std::optional<nlohmann::json> schema;
};

/// The problems of a schema as written, each with where it is ("properties.name.type: ...");
/// empty when it is in the subset above and well formed.
std::vector<std::string> schema_problems(const nlohmann::json& schema);

/// Why `value` does not match `schema`: the first mismatch, with where it is
/// ("$.items[2].name: expected a string, got 3"); nullopt when it matches.
std::optional<std::string> schema_mismatch(const nlohmann::json& schema,
                                           const nlohmann::json& value);

/// A model's answer read as the JSON `contract` asks for: the value, or why it is not one. The
/// JSON may stand inside a Markdown code fence (```json ... ```), as models often write it.
std::variant<nlohmann::json, std::string> read_output(std::string_view text,
                                                      const output_contract& contract);

/// What a prompt says to ask for such an answer, put after the prompt.
std::string output_instruction(const output_contract& contract);

} // namespace tutti::definition
