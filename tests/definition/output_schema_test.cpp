// The JSON an agent must answer: the schema subset, its checks, reading an answer, and the keys
// that ask for it (with input_key and parameters) in ensemble files.
#include "support/diagnostics_match.hpp"

#include <tutti/definition/ensemble_parser.hpp>
#include <tutti/definition/output_schema.hpp>

#include <catch2/catch.hpp>

using namespace tutti::definition;
using nlohmann::json;
using tutti::test::has_problem;
using tutti::test::listing;

namespace {

const json person = json::parse(R"({
  "type": "object",
  "required": ["name", "tags"],
  "properties": {
    "name": {"type": "string", "description": "who"},
    "age": {"type": "integer"},
    "tags": {"type": "array", "items": {"enum": ["a", "b"]}}
  }
})");

std::string mismatch(const std::string& value) {
  return schema_mismatch(person, json::parse(value)).value_or("matches");
}

diagnostics problems_of(const std::string& agent_keys) {
  return parse_ensemble("name = \"x\"\n[[agents]]\nname = \"a\"\nprovider = \"mock\"\n" +
                            agent_keys + "\n",
                        "x.toml")
      .problems();
}

} // namespace

TEST_CASE("a value matches a schema, or the first mismatch says where and why") {
  CHECK(mismatch(R"({"name": "Ada", "tags": ["a"], "age": 36})") == "matches");
  CHECK(mismatch(R"({"name": "Ada", "tags": []})") == "matches");
  CHECK(mismatch(R"([1])") == "$: expected an object, got [1]");
  CHECK(mismatch(R"({"tags": []})") == "$: the property 'name' is missing");
  CHECK(mismatch(R"({"name": 7, "tags": []})") == "$.name: expected a string, got 7");
  CHECK(mismatch(R"({"name": "A", "tags": [], "age": 3.5})") ==
        "$.age: expected an integer, got 3.5");
  CHECK(mismatch(R"({"name": "A", "tags": [], "age": 3.0})") == "matches");
  CHECK(mismatch(R"({"name": "A", "tags": ["a", "c"]})") ==
        R"($.tags[1]: "c" is not one of ["a","b"])");
}

TEST_CASE("a schema outside the subset, or ill formed, is refused with each problem's place") {
  CHECK(schema_problems(person).empty());
  const auto problems = schema_problems(json::parse(
      R"({"type": "obj", "properties": {"x": {"minimum": 1}}, "required": "x", "enum": []})"));
  REQUIRE(problems.size() == 4);
  CHECK(problems[0] ==
        "enum: must be a list of the values allowed"); // nlohmann's objects are sorted by key
  CHECK(problems[1] == "properties.x.minimum: is not in the schema subset tutti checks (type, "
                       "properties, required, items, enum, description)");
  CHECK(problems[2] == "required: must be a list of property names");
  CHECK(problems[3] ==
        "type: must be one of object, array, string, number, integer, boolean, null");
}

TEST_CASE("an answer is read as JSON, from inside a code fence too, and checked") {
  output_contract any;
  CHECK(std::get<json>(read_output(" [1, 2]\n", any)) == json::array({1, 2}));
  CHECK(std::get<json>(read_output("```json\n{\"a\": 1}\n```", any)) == json{{"a", 1}});
  CHECK(std::get<json>(read_output("```\ntrue\n```", any)) == json(true));
  CHECK(std::get<json>(read_output("Sure:\n```json\n[1, 2]\n```\nDone.", any)) ==
        json::array({1, 2}));
  CHECK(std::get<std::string>(read_output("Here: {\"a\": 1}", any)) ==
        R"(the answer is not JSON (it begins: "Here: {\"a\": 1}"))");
  output_contract shaped{person};
  CHECK(std::get<std::string>(read_output(R"({"name": "A"})", shaped)) ==
        "the answer does not match output_schema: $: the property 'tags' is missing");
}

TEST_CASE("output_format, output_schema, input_key and parameters are checked at load") {
  CHECK(problems_of("output_format = \"json\"").empty());
  CHECK(problems_of("output_schema = { type = \"array\", items = { type = \"string\" } }").empty());
  auto schema = problems_of("output_schema = { type = \"object\", pattern = \"x\" }");
  INFO(listing(schema));
  CHECK(has_problem(schema, definition_errc::invalid_value,
                    "x.toml:5:17: agents.a.output_schema: pattern: is not in the schema subset"));
  CHECK(has_problem(problems_of("output_format = \"xml\""), definition_errc::invalid_value,
                    "agents.a.output_format"));
  CHECK(has_problem(problems_of("input_key = \"k\""), definition_errc::invalid_value,
                    "agents.a.input_key: picks a field of the first dependency's JSON output, and "
                    "the agent has no dependency"));
  CHECK(has_problem(problems_of("parameters = { a = 1 }"), definition_errc::conflicting_fields,
                    "agents.a.parameters: applies only to script agents"));
  auto script = parse_ensemble("name = \"x\"\n[[agents]]\nname = \"a\"\nscript = [\"cat\"]\n"
                               "output_format = \"json\"\nparameters = { a = 1 }\n",
                               "x.toml")
                    .problems();
  INFO(listing(script));
  CHECK(has_problem(script, definition_errc::conflicting_fields,
                    "agents.a.output_format: does not apply to a script agent"));
  CHECK(has_problem(script, definition_errc::conflicting_fields,
                    "agents.a.parameters: reach the program in its JSON input: set script_input = "
                    "\"json\""));
}
