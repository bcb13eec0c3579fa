#include <tutti/definition/condition.hpp>

#include <catch2/catch.hpp>

#include <map>

using namespace tutti::definition;

namespace {

struct result {
  std::string status;
  std::string output;
};

condition parsed(std::string_view text) {
  auto c = condition::parse(text);
  if (const auto* error = std::get_if<condition_error>(&c)) {
    FAIL("'" << text << "' does not parse: column " << error->column << ": " << error->message);
  }
  return std::get<condition>(std::move(c));
}

condition_error error_of(std::string_view text) {
  auto c = condition::parse(text);
  REQUIRE(std::holds_alternative<condition_error>(c));
  return std::get<condition_error>(c);
}

bool holds(std::string_view text, const std::map<std::string, result>& results) {
  return parsed(text).holds([&](std::string_view name) -> std::optional<dependency_view> {
    auto r = results.find(std::string{name});
    if (r == results.end()) {
      return std::nullopt;
    }
    return dependency_view{r->second.status, r->second.output};
  });
}

const std::map<std::string, result> review{
    {"classify", {"success", R"({"label": "bug", "score": 0.8, "tags": ["ui", "crash"],
                                 "meta": {"ok": true, "count": 0}})"}},
    {"summary", {"success", "The login page crashes on submit."}},
    {"check", {"failed", ""}},
};

} // namespace

TEST_CASE("llm-orc's forms: a field's truth, and a field equal to a literal") {
  CHECK(holds("${classify.meta.ok}", review));
  CHECK_FALSE(holds("${classify.meta.count}", review));
  CHECK_FALSE(holds("${classify.absent}", review));
  CHECK(holds("${classify.label} == bug", review));
  CHECK(holds("${classify.label} == \"bug\"", review));
  CHECK_FALSE(holds("${classify.label} == feature", review));
  CHECK(holds("${classify.score} == 0.8", review));
  CHECK(holds("${classify.meta.ok} == true", review));
  CHECK(holds("${classify.tags.1} == 'crash'", review));
}

TEST_CASE("a dependency's whole output is its JSON, or its text when it is not JSON") {
  CHECK(holds("${summary}", review));
  CHECK(holds("${summary} contains \"crashes\"", review));
  CHECK(holds("${classify} contains label", review));
  CHECK_FALSE(holds("${summary.field}", review));
}

TEST_CASE("a dependency that did not succeed has no output, and its status says why") {
  CHECK_FALSE(holds("${check}", review));
  CHECK(holds("${check} == null", review));
  CHECK(holds("status(check) == failed", review));
  CHECK(holds("status(classify) == \"success\"", review));
  CHECK(holds("output(summary) matches 'crash(es)? on'", review));
}

TEST_CASE("comparisons: != is the negation of ==, < and > order numbers and strings only") {
  CHECK(holds("${classify.label} != feature", review));
  CHECK_FALSE(holds("${classify.label} != bug", review));
  CHECK(holds("${classify.score} > 0.5", review));
  CHECK(holds("${classify.score} >= 0.8", review));
  CHECK_FALSE(holds("${classify.score} < 0.8", review));
  CHECK(holds("${classify.score} <= 1e0", review));
  CHECK(holds("${classify.label} < \"cat\"", review));
  CHECK_FALSE(holds("${classify.label} < 3", review));
  CHECK_FALSE(holds("${classify.label} > 3", review));
}

TEST_CASE("contains looks in strings, arrays and objects; matches searches with a regex") {
  CHECK(holds("${classify.tags} contains ui", review));
  CHECK_FALSE(holds("${classify.tags} contains backend", review));
  CHECK(holds("${classify.meta} contains \"ok\"", review));
  CHECK(holds("${classify.label} matches '^b.g$'", review));
  CHECK_FALSE(holds("${classify.label} matches '^B'", review));
  CHECK(holds("${classify.score} matches '^0\\.8$'", review));
  CHECK_FALSE(holds("${check} matches '.*'", review));
}

TEST_CASE("and binds tighter than or; not and parentheses") {
  CHECK(holds("${summary} or ${check} and ${check}", review));
  CHECK_FALSE(holds("(${summary} or ${check}) and ${check}", review));
  CHECK(holds("not ${check}", review));
  CHECK(holds("!${check} && ${summary} || ${check}", review));
  CHECK_FALSE(holds("not (${summary} and ${classify.meta.ok})", review));
  CHECK(holds("not not ${summary}", review));
}

TEST_CASE("a text is read without the whitespace around it") {
  const std::map<std::string, result> echoed{{"a", {"success", "  yes\n"}}};
  CHECK(holds("${a} == yes", echoed));
  CHECK(holds("output(a) == 'yes'", echoed));
  CHECK(holds("output(a) matches '^yes$'", echoed));
}

TEST_CASE("matches takes linear time and no stack, whatever the pattern and the text") {
  // A backtracking engine takes minutes over the first and overflows its stack on the second.
  const std::map<std::string, result> texts{
      {"a", {"success", std::string(40, 'a') + "b"}},
      {"long", {"success", std::string(1u << 20, 'a') + "c"}}};
  CHECK_FALSE(holds("output(a) matches '^(a+)+$'", texts));
  CHECK(holds("output(long) matches '.*c'", texts));
  CHECK(holds("output(long) matches '(?i)^A+C$'", texts));
}

TEST_CASE("an agent the caller does not know reads as one that did not succeed") {
  CHECK_FALSE(holds("${elsewhere}", review));
  CHECK(holds("status(elsewhere) == null", review));
}

TEST_CASE("a condition lists the agents it refers to, each once, in order") {
  CHECK(parsed("${b.x} == 1 and status(a) == success or ${b} and output(c) contains z").agents() ==
        std::vector<std::string>{"b", "a", "c"});
}

TEST_CASE("a condition that does not parse says where and why") {
  CHECK(error_of("").message == "the condition is empty");
  CHECK(error_of("   ").message == "the condition is empty");
  auto e = error_of("(${a} and ${b}");
  CHECK(e.column == 15);
  CHECK(e.message == "expected ')' to close the '(' at column 1");
  e = error_of("${a.x == 1");
  CHECK(e.column == 1);
  CHECK(e.message == "'${' is not closed by '}'");
  e = error_of("${a} == 'open");
  CHECK(e.column == 9);
  e = error_of("${a} matches ${b}");
  CHECK(e.message == "'matches' needs a quoted regular expression on its right");
  e = error_of("${a} matches '(unclosed'");
  CHECK(e.message == "the regular expression after 'matches' is not valid: missing ): (unclosed");
  CHECK(error_of("${a} matches '(a)\\1'").message ==
        "the regular expression after 'matches' is not valid: invalid escape sequence: \\1");
  e = error_of("${a} ==");
  CHECK(e.message == "the condition ends where a value was expected");
  e = error_of("${a} == 1 ${b}");
  CHECK(e.column == 11);
  CHECK(e.message == "unexpected '${b}'; expected and, or, or the end");
  CHECK(error_of("${a..x}").message == "'${a..x}' has an empty field name");
  CHECK(error_of("${a b}").message == "'a b' is not an agent name");
  CHECK(error_of("status(a b)").message == "status(...) takes one agent name, as in "
                                           "status(classify)");
  CHECK(error_of("and ${a}").message == "expected a value before 'and'");
  CHECK(error_of("${a} = 1").message == "unexpected '='");
}
