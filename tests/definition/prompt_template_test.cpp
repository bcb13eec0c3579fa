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

TEST_CASE("a prompt's size is known before it is built, and matches what is built") {
  const std::optional<std::string> t{"a {input} b {agents.x} {unknown} {input}"};
  const std::map<std::string, std::string> outputs{{"x", "XYZ"}};
  const auto built = render_prompt(t, "in", {"x"}, outputs);
  CHECK(rendered_prompt_size(t, "in", {"x"}, outputs) == built.size());
  CHECK(rendered_prompt_size(std::nullopt, "in", {"x"}, outputs) ==
        render_prompt(std::nullopt, "in", {"x"}, outputs).size());
  std::string many;
  for (int i = 0; i < 20'000; ++i) {
    many += "{input}";
  }
  CHECK(rendered_prompt_size(many, std::string(100'000, 'x'), {}, {}) == 2'000'000'000u);
}

TEST_CASE("words in braces that look like placeholders but are none are found; code and JSON "
          "are not") {
  CHECK(placeholder_like_words("{inptu} {input} {agents.a} {agent.b} {x_1}") ==
        std::vector<std::string>{"inptu", "agent.b", "x_1"});
  CHECK(placeholder_like_words(R"(f({"k": 1}) { return 0; } {1st} {})").empty());
  CHECK(placeholder_like_words("echo ${name} and `${user.id}`").empty()); // shell, JavaScript
}
