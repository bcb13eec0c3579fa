#include "support/diagnostics_match.hpp"

#include <tutti/definition/ensemble_parser.hpp>

#include <catch2/catch.hpp>

using namespace tutti::definition;
using tutti::test::has_problem;
using tutti::test::listing;

namespace {

diagnostics problems_of(const std::string& text) {
  auto e = parse_ensemble(text, "test.toml");
  INFO("expected the ensemble to be rejected");
  REQUIRE_FALSE(e.has_value());
  return e.problems();
}

const std::string one_agent = R"(
name = "e"
[[agents]]
name = "a"
provider = "mock"
)";

} // namespace

TEST_CASE("an ensemble file yields every field of the ensemble and its agents") {
  auto e = parse_ensemble(R"(
name = "code-review"
description = "Three reviewers in parallel, then a synthesis"
default_input = "Review this"
max_concurrent_agents = 4
timeout_seconds = 120
priority = 7

[[agents]]
name = "security"
profile = "fast-local"
system_prompt = "You are a security reviewer."
timeout_seconds = 2.5
priority = 8
temperature = 0.2
max_tokens = 400
prompt = "Review:\n{input}"

[[agents]]
name = "synthesis"
provider = "ollama"
base_url = "http://gpu-box:11434/"
model = "llama3.2"
depends_on = ["security"]
)",
                          "code-review.toml");
  INFO(listing(e.problems()));
  REQUIRE(e.has_value());
  CHECK(e->name == "code-review");
  CHECK(e->description == "Three reviewers in parallel, then a synthesis");
  CHECK(e->default_input == "Review this");
  CHECK(e->max_concurrent_agents == 4);
  CHECK(e->timeout == std::chrono::seconds{120});
  CHECK(e->priority == 7);
  CHECK(e->file == "code-review.toml");
  REQUIRE(e->agents.size() == 2);
  const auto& security = e->agents[0];
  CHECK(security.name == "security");
  CHECK(security.profile == "fast-local");
  CHECK(security.settings.system_prompt == "You are a security reviewer.");
  CHECK(security.settings.timeout == std::chrono::milliseconds{2500});
  CHECK(security.priority == 8);
  CHECK(security.settings.temperature == Approx(0.2));
  CHECK(security.settings.max_tokens == 400);
  CHECK(security.prompt == "Review:\n{input}");
  CHECK(security.depends_on.empty());
  CHECK(security.where.line == 9);
  const auto& synthesis = e->agents[1];
  CHECK(synthesis.settings.provider == "ollama");
  CHECK(synthesis.settings.base_url == "http://gpu-box:11434");
  CHECK(synthesis.settings.model == "llama3.2");
  CHECK(synthesis.depends_on == std::vector<std::string>{"security"});
  CHECK(synthesis.location_of("depends_on").line == 24);
}

TEST_CASE("a TOML syntax error names the file, line and column") {
  auto problems = problems_of("name = \"e\"\n[[agents]\nname = \"a\"\n");
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].code == definition_errc::syntax_error);
  CHECK(problems[0].where.file == "test.toml");
  CHECK(problems[0].where.line == 2);
  CHECK(problems[0].where.column > 0);
}

TEST_CASE("a missing or empty ensemble name is an error") {
  CHECK(has_problem(problems_of("[[agents]]\nname = \"a\"\nprovider = \"mock\"\n"),
                    definition_errc::missing_field, "name: is required"));
  CHECK(has_problem(problems_of("name = \"\"\n[[agents]]\nname = \"a\"\nprovider = \"mock\"\n"),
                    definition_errc::empty_field, "test.toml:1:8: name: must not be empty"));
}

TEST_CASE("an ensemble without agents is an error") {
  CHECK(has_problem(problems_of("name = \"e\"\n"), definition_errc::missing_field,
                    "at least one [[agents]]"));
}

TEST_CASE("duplicate agent names are reported at the second with the first's line") {
  auto problems = problems_of(one_agent + "[[agents]]\nname = \"a\"\nprovider = \"mock\"\n");
  CHECK(has_problem(problems, definition_errc::duplicate_agent,
                    "test.toml:7:1: agents.a.name: agent 'a' is defined twice (first at line 4)"));
}

TEST_CASE("an agent name is letters, digits, dashes and underscores") {
  CHECK(has_problem(problems_of("name = \"e\"\n[[agents]]\nname = \"a b\"\nprovider = \"mock\"\n"),
                    definition_errc::invalid_value, "'a b' may contain only"));
}

TEST_CASE("depends_on naming an unknown agent suggests the closest name") {
  auto problems = problems_of(R"(
name = "e"
[[agents]]
name = "security"
provider = "mock"
[[agents]]
name = "synthesis"
provider = "mock"
depends_on = ["secrity"]
)");
  CHECK(has_problem(problems, definition_errc::unknown_agent,
                    "test.toml:9:1: agents.synthesis.depends_on: unknown agent 'secrity' (did you "
                    "mean 'security'?)"));
}

TEST_CASE("an agent listed twice in depends_on is an error") {
  CHECK(has_problem(problems_of(one_agent +
                                "[[agents]]\nname = \"b\"\nprovider = \"mock\"\ndepends_on = "
                                "[\"a\", \"a\"]\n"),
                    definition_errc::invalid_value, "lists 'a' twice"));
}

TEST_CASE("a dependency cycle is printed along its path") {
  auto problems = problems_of(R"(
name = "e"
[[agents]]
name = "a"
provider = "mock"
depends_on = ["c"]
[[agents]]
name = "b"
provider = "mock"
depends_on = ["a"]
[[agents]]
name = "c"
provider = "mock"
depends_on = ["b"]
)");
  REQUIRE(problems.size() == 1);
  CHECK(has_problem(problems, definition_errc::dependency_cycle,
                    "test.toml:6:1: agents.a.depends_on: dependency cycle: a -> c -> b -> a"));
}

TEST_CASE("an agent depending on itself is a cycle") {
  CHECK(has_problem(
      problems_of("name = \"e\"\n[[agents]]\nname = \"a\"\nprovider = \"mock\"\ndepends_on = "
                  "[\"a\"]\n"),
      definition_errc::dependency_cycle, "dependency cycle: a -> a"));
}

TEST_CASE("a value of the wrong type names the field and both types") {
  auto problems = problems_of(R"(
name = "e"
priority = "high"
[[agents]]
name = "a"
provider = "mock"
depends_on = "b"
[[agents]]
name = "b"
provider = "mock"
depends_on = [1]
max_tokens = 1.5
)");
  CHECK(has_problem(problems, definition_errc::wrong_type,
                    "priority: expected an integer, got a string"));
  CHECK(has_problem(problems, definition_errc::wrong_type,
                    "agents.a.depends_on: expected an array of strings, got a string"));
  CHECK(has_problem(problems, definition_errc::wrong_type,
                    "test.toml:11:15: agents.b.depends_on: expected strings in the array, got "
                    "an integer"));
  CHECK(has_problem(problems, definition_errc::wrong_type,
                    "agents.b.max_tokens: expected an integer, got a number"));
}

TEST_CASE("values out of range are errors that give the range") {
  auto problems = problems_of(R"(
name = "e"
priority = 11
max_concurrent_agents = 0
timeout_seconds = 0
[[agents]]
name = "a"
provider = "mock"
timeout_seconds = -3
priority = 0
temperature = 2.5
max_tokens = 0
)");
  CHECK(has_problem(problems, definition_errc::out_of_range,
                    "priority: must be between 1 and 10, got 11"));
  CHECK(has_problem(problems, definition_errc::out_of_range,
                    "max_concurrent_agents: must be between 1 and 1000000, got 0"));
  CHECK(has_problem(problems, definition_errc::out_of_range,
                    "test.toml:5:19: timeout_seconds: must be a number of seconds greater than 0"));
  CHECK(has_problem(problems, definition_errc::out_of_range,
                    "agents.a.timeout_seconds: must be a number of seconds greater than 0"));
  CHECK(has_problem(problems, definition_errc::out_of_range,
                    "agents.a.priority: must be between 1 and 10, got 0"));
  CHECK(has_problem(problems, definition_errc::out_of_range,
                    "agents.a.temperature: must be between 0 and 2, got 2.5"));
  CHECK(has_problem(problems, definition_errc::out_of_range,
                    "agents.a.max_tokens: must be between 1 and 10000000, got 0"));
}

TEST_CASE("an unknown key is an error that suggests the right one") {
  auto problems = problems_of(R"(
name = "e"
descripton = "typo"
[[agents]]
name = "a"
provider = "mock"
[[agents]]
name = "b"
provider = "mock"
depends-on = ["a"]
)");
  CHECK(has_problem(problems, definition_errc::unknown_key,
                    "test.toml:3:1: descripton: unknown key (did you mean 'description'?)"));
  CHECK(has_problem(problems, definition_errc::unknown_key,
                    "test.toml:10:1: agents.b.depends-on: unknown key (did you mean "
                    "'depends_on'?)"));
}

TEST_CASE("a prompt may only use the outputs of its own dependencies") {
  auto problems = problems_of(R"(
name = "e"
[[agents]]
name = "security"
provider = "mock"
[[agents]]
name = "style"
provider = "mock"
[[agents]]
name = "synthesis"
provider = "mock"
depends_on = ["security"]
prompt = "{agents.security} {agents.style} {agents.securty}"
)");
  CHECK(has_problem(problems, definition_errc::invalid_value,
                    "agents.synthesis.prompt: uses {agents.style} but 'style' is not in "
                    "depends_on"));
  CHECK(has_problem(problems, definition_errc::unknown_agent,
                    "{agents.securty} names an unknown agent (did you mean 'security'?)"));
  CHECK(problems.size() == 2);
}

TEST_CASE("a condition is read, and checked where it is written: its syntax, and that it "
          "refers only to its own dependencies") {
  auto e = parse_ensemble(R"(
name = "e"
[[agents]]
name = "classify"
provider = "mock"
[[agents]]
name = "fix"
provider = "mock"
depends_on = ["classify"]
when = "${classify.label} == bug"
)",
                          "test.toml");
  REQUIRE(e.has_value());
  CHECK(e->agents[1].when == "${classify.label} == bug");
  CHECK_FALSE(e->agents[0].when.has_value());

  auto problems = problems_of(R"(
name = "e"
[[agents]]
name = "classify"
provider = "mock"
[[agents]]
name = "style"
provider = "mock"
[[agents]]
name = "fix"
provider = "mock"
depends_on = ["classify"]
when = "${clasify.label} == bug or status(style) == success"
[[agents]]
name = "broken"
provider = "mock"
depends_on = ["classify"]
when = "(${classify.label} == bug"
[[agents]]
name = "empty"
provider = "mock"
when = ""
[[agents]]
name = "constant"
provider = "mock"
when = "'yes' == yes"
)");
  INFO(listing(problems));
  CHECK(has_problem(problems, definition_errc::unknown_agent,
                    "test.toml:13:1: agents.fix.when: refers to an unknown agent 'clasify' (did "
                    "you mean 'classify'?)"));
  CHECK(has_problem(problems, definition_errc::invalid_value,
                    "agents.fix.when: refers to 'style', which is not in depends_on; add it "
                    "there"));
  CHECK(has_problem(problems, definition_errc::invalid_value,
                    "test.toml:18:1: agents.broken.when: column 26 of the condition: expected "
                    "')' to close the '(' at column 1"));
  CHECK(has_problem(problems, definition_errc::empty_field, "agents.empty.when"));
  CHECK(has_problem(problems, definition_errc::invalid_value,
                    "agents.constant.when: refers to no agent, so it never changes"));
  CHECK(problems.size() == 5);
}

TEST_CASE("fan_out names the dependency whose output an agent splits: true for its only one") {
  auto e = parse_ensemble(R"(
name = "e"
[[agents]]
name = "list"
provider = "mock"
[[agents]]
name = "style"
provider = "mock"
[[agents]]
name = "each"
provider = "mock"
depends_on = ["list"]
fan_out = true
[[agents]]
name = "named"
provider = "mock"
depends_on = ["style", "list"]
fan_out = "list"
[[agents]]
name = "once"
provider = "mock"
depends_on = ["list"]
fan_out = false
)",
                          "test.toml");
  REQUIRE(e.has_value());
  CHECK(e->agents[2].fan_out == "");
  CHECK(e->agents[3].fan_out == "list");
  CHECK_FALSE(e->agents[4].fan_out.has_value());
  CHECK_FALSE(e->agents[0].fan_out.has_value());

  auto problems = problems_of(R"(
name = "e"
[[agents]]
name = "list"
provider = "mock"
[[agents]]
name = "style"
provider = "mock"
[[agents]]
name = "two"
provider = "mock"
depends_on = ["list", "style"]
fan_out = true
[[agents]]
name = "none"
provider = "mock"
fan_out = true
[[agents]]
name = "typo"
provider = "mock"
depends_on = ["list"]
fan_out = "lst"
[[agents]]
name = "elsewhere"
provider = "mock"
depends_on = ["list"]
fan_out = "style"
[[agents]]
name = "number"
provider = "mock"
depends_on = ["list"]
fan_out = 3
[[agents]]
name = "itself"
provider = "mock"
depends_on = ["list"]
fan_out = "itself"
)");
  INFO(listing(problems));
  CHECK(has_problem(problems, definition_errc::invalid_value,
                    "test.toml:13:1: agents.two.fan_out: fan_out = true splits the output of the "
                    "agent's only dependency, and it has 2: name the one to split, as fan_out = "
                    "\"list\""));
  CHECK(has_problem(problems, definition_errc::invalid_value,
                    "agents.none.fan_out: fan_out = true splits the output of the agent's only "
                    "dependency, and it has 0: add one to depends_on"));
  CHECK(has_problem(problems, definition_errc::unknown_agent,
                    "test.toml:22:1: agents.typo.fan_out: unknown agent 'lst' (did you mean "
                    "'list'?)"));
  CHECK(has_problem(problems, definition_errc::invalid_value,
                    "agents.elsewhere.fan_out: splits the output of 'style', which is not in "
                    "depends_on; add it there"));
  CHECK(has_problem(problems, definition_errc::wrong_type,
                    "agents.number.fan_out: expected true, false or an agent's name, got "));
  CHECK(has_problem(problems, definition_errc::invalid_value,
                    "agents.itself.fan_out: names the agent itself"));
  CHECK(problems.size() == 6);
}

TEST_CASE("a script agent names its program and arguments, and no model") {
  auto e = parse_ensemble(R"(
name = "e"
[[agents]]
name = "count"
script = ["python3", "tools/count.py", "--words"]
script_input = "json"
timeout_seconds = 5
)",
                          "test.toml");
  REQUIRE(e.has_value());
  CHECK(e->agents[0].script == std::vector<std::string>{"python3", "tools/count.py", "--words"});
  CHECK(e->agents[0].script_input_kind == script_input::json);

  auto problems = problems_of(R"(
name = "e"
[[agents]]
name = "both"
script = ["./run.sh"]
model = "llama3.2"
temperature = 0.2
[[agents]]
name = "nothing"
script = []
[[agents]]
name = "stray"
provider = "mock"
script_input = "json"
[[agents]]
name = "wrong"
script = "run.sh --fast"
)");
  INFO(listing(problems));
  CHECK(has_problem(problems, definition_errc::conflicting_fields,
                    "test.toml:6:1: agents.both.model: does not apply to a script agent, which "
                    "runs a program rather than a model"));
  CHECK(has_problem(problems, definition_errc::conflicting_fields, "agents.both.temperature"));
  CHECK(has_problem(problems, definition_errc::invalid_value,
                    "agents.nothing.script: needs the program to run first"));
  CHECK(has_problem(problems, definition_errc::conflicting_fields,
                    "agents.stray.script_input: applies only to script agents"));
  CHECK(has_problem(problems, definition_errc::wrong_type, "agents.wrong.script"));
  CHECK(problems.size() == 5);
}

TEST_CASE("where a model is served is a backend, or a provider with an optional base URL") {
  auto problems = problems_of(R"(
name = "e"
[[agents]]
name = "a"
backend = "studio"
provider = "ollama"
[[agents]]
name = "b"
base_url = "http://localhost:8080"
[[agents]]
name = "c"
provider = "olama"
[[agents]]
name = "d"
provider = "openai"
base_url = "localhost:8080"
)");
  CHECK(has_problem(problems, definition_errc::conflicting_fields,
                    "agents.a.backend: set either backend, or provider"));
  CHECK(has_problem(problems, definition_errc::missing_field, "agents.b.base_url: needs provider"));
  CHECK(has_problem(problems, definition_errc::invalid_value,
                    "agents.c.provider: 'olama' is not one of openai, anthropic, ollama, "
                    "lmstudio, mock, process (did you mean 'ollama'?)"));
  CHECK(has_problem(problems, definition_errc::invalid_value,
                    "agents.d.base_url: 'localhost:8080' is not an http:// or https:// URL"));
}

TEST_CASE("every problem of a file is reported, not only the first") {
  auto problems = problems_of(R"(
name = ""
priority = 0
[[agents]]
name = "a"
provider = "mock"
depends_on = ["b"]
colour = "blue"
)");
  CHECK(problems.size() == 4);
}

TEST_CASE("scheduling, on_dependency_failure and mock settings are read and checked") {
  auto e = parse_ensemble(R"(
name = "e"
scheduling = "eager"
[[agents]]
name = "a"
provider = "mock"
mock = { latency_ms = 200, reply = "text with {prompt}", fail = "boom" }
[[agents]]
name = "b"
provider = "mock"
depends_on = ["a"]
on_dependency_failure = "run"
)",
                          "test.toml");
  INFO(listing(e.problems()));
  REQUIRE(e.has_value());
  CHECK(e->scheduling == scheduling_policy::eager);
  CHECK(e->agents[0].settings.mock.latency == std::chrono::milliseconds{200});
  CHECK(e->agents[0].settings.mock.reply == "text with {prompt}");
  CHECK(e->agents[0].settings.mock.fail == "boom");
  CHECK(e->agents[0].on_dependency_failure == dependency_failure_policy::skip);
  CHECK(e->agents[1].on_dependency_failure == dependency_failure_policy::run);

  auto problems = problems_of(R"(
name = "e"
scheduling = "greedy"
[[agents]]
name = "a"
provider = "mock"
on_dependency_failure = "continue"
mock = { latency = 5, latency_ms = -1 }
)");
  CHECK(has_problem(problems, definition_errc::invalid_value,
                    "scheduling: 'greedy' is not one of phased, eager"));
  CHECK(has_problem(problems, definition_errc::invalid_value,
                    "agents.a.on_dependency_failure: 'continue' is not one of skip, run"));
  CHECK(has_problem(problems, definition_errc::unknown_key,
                    "agents.a.mock.latency: unknown key (did you mean 'latency_ms'?)"));
  CHECK(has_problem(problems, definition_errc::out_of_range, "agents.a.mock.latency_ms"));
}
