#include <tutti/definition/agent_output.hpp>

#include <catch2/catch.hpp>

using namespace tutti::definition;
using items = std::vector<std::string>;

namespace {

items split(std::string_view output) {
  auto split = fan_out_items(output);
  INFO(output);
  REQUIRE(std::holds_alternative<items>(split));
  return std::get<items>(split);
}

std::string refusal(std::string_view output) {
  auto split = fan_out_items(output);
  REQUIRE(std::holds_alternative<std::string>(split));
  return std::get<std::string>(split);
}

} // namespace

TEST_CASE("an output is read as its JSON when it is JSON, else as its text") {
  CHECK(json_or_text(R"({"a": [1, 2]})")["a"][1] == 2);
  CHECK(json_or_text("42") == 42);
  CHECK(json_or_text("plain words") == "plain words");
  CHECK(json_or_text("{broken") == "{broken");
}

TEST_CASE("a JSON array splits into its elements: strings as they are, the rest as JSON") {
  CHECK(split(R"(["alpha", "beta"])") == items{"alpha", "beta"});
  CHECK(split(R"([1, {"k": "v"}, null, [2]])") == items{"1", R"({"k":"v"})", "null", "[2]"});
  CHECK(split("[]").empty());
}

TEST_CASE("llm-orc's {\"data\": [...]} splits as its array") {
  CHECK(split(R"({"data": ["x", "y"], "note": "ignored"})") == items{"x", "y"});
}

TEST_CASE("an output that is not JSON splits into its non-empty lines") {
  CHECK(split("first\n\n  \nsecond\r\nthird") == items{"first", "second", "third"});
  CHECK(split("only one") == items{"only one"});
  CHECK(split("").empty());
  CHECK(split("7") == items{"7"});
}

TEST_CASE("JSON that holds no array, or too many items, cannot be split, saying why") {
  CHECK(refusal(R"({"items": [1, 2]})") == "it is JSON but neither an array nor {\"data\": [...]}");
  CHECK(refusal("null") == "it is JSON but neither an array nor {\"data\": [...]}");
  nlohmann::json many = nlohmann::json::array();
  for (std::size_t i = 0; i <= max_fan_out_items; ++i) {
    many.push_back(i);
  }
  CHECK(refusal(many.dump()) == "it holds 10001 items, more than the 10000 items one agent may "
                                "fan out to");
  std::string lines;
  for (std::size_t i = 0; i <= max_fan_out_items; ++i) {
    lines += "line\n";
  }
  CHECK(refusal(lines) == "it holds more lines than the 10000 items one agent may fan out to");
  CHECK(split(lines.substr(5)).size() == max_fan_out_items);
}
