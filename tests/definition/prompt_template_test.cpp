#include <tutti/definition/prompt_template.hpp>

#include <catch2/catch.hpp>

using namespace tutti::definition;

TEST_CASE("an agent without a template or dependencies gets the input") {
  CHECK(render_prompt(std::nullopt, "the input", {}, {}) == "the input");
}

TEST_CASE("an agent with dependencies and no template gets each output under its name") {
  CHECK(render_prompt(std::nullopt, "Review", {"security", "style"},
                      {{"style", "short names"}, {"security", "no issues"}}) ==
        "Review\n\n## security\nno issues\n\n## style\nshort names");
}

TEST_CASE("a template substitutes {input} and {agents.NAME} and leaves other braces") {
  CHECK(render_prompt(std::string{"Q: {input}\nA: {agents.a}\ncode: {x} {agents.}{"}, "why?", {"a"},
                      {{"a", "because"}}) == "Q: why?\nA: because\ncode: {x} {agents.}{");
  CHECK(render_prompt(std::string{"{input}{input}"}, "x", {}, {}) == "xx");
}

TEST_CASE("the agents a template refers to are listed in order") {
  CHECK(referenced_agents("{agents.b} then {agents.a-1} and {agents.b} {agents} {input}") ==
        std::vector<std::string>{"b", "a-1", "b"});
}
