#include "support/diagnostics_match.hpp"
#include "support/temp_dir.hpp"

#include <tutti/llm_orc/ensemble_reader.hpp>

#include <catch2/catch.hpp>

#include <algorithm>

using namespace tutti::definition;
using tutti::llm_orc::is_llm_orc_file;
using tutti::llm_orc::load_llm_orc_ensemble;
using tutti::llm_orc::read_llm_orc_ensemble;
using tutti::test::has_problem;
using tutti::test::listing;
using tutti::test::temp_dir;

namespace {

const agent_spec& agent_named(const ensemble& e, const std::string& name) {
  auto found = std::find_if(e.agents.begin(), e.agents.end(),
                            [&](const agent_spec& a) { return a.name == name; });
  REQUIRE(found != e.agents.end());
  return *found;
}

ensemble read_ok(const temp_dir& dir, const std::string& relative, const std::string& yaml,
                 std::vector<std::string>* notes = nullptr) {
  auto file = dir.write(relative, yaml);
  auto e = load_llm_orc_ensemble(file, mib_bytes(1), notes);
  INFO(listing(e.problems()));
  REQUIRE(e.has_value());
  return *e;
}

diagnostics problems_of(const temp_dir& dir, const std::string& yaml) {
  auto file = dir.write("e.yaml", yaml);
  auto e = load_llm_orc_ensemble(file);
  INFO("expected the ensemble to be rejected");
  REQUIRE_FALSE(e.has_value());
  return e.problems();
}

const std::string wrapper_start =
    "Please respond to the following input, taking into account the results from the previous "
    "agents in the dependency chain.\n\nOriginal Input:\n{input}\n\nPrevious Agent Results (for "
    "your reference):\n";
const std::string wrapper_end = "\n\nPlease provide your own analysis, building upon (but not "
                                "simply repeating) the previous results.";

} // namespace

TEST_CASE("an llm-orc ensemble's top-level keys and model agents map onto tutti's") {
  temp_dir dir;
  auto e = read_ok(dir, "review.yaml", R"(name: review
description: Two reviewers and a synthesis
default_task: Review this code
task: ignored when default_task is set
agents:
  - name: security
    model_profile: fast-local
    system_prompt: You are a security reviewer.
    temperature: 0.3
    max_tokens: 500
    timeout_seconds: 30
  - name: style
    model: llama3
    provider: ollama
    options:
      temperature: 0.1
      num_predict: 200
  - name: cloud
    model: claude-sonnet
    provider: anthropic-api
  - name: compat
    model: gpt-4o-mini
    provider: openai-compatible/work
    ollama_format: json
  - name: pretend
    model: mock-small
    provider: ollama
  - name: synthesis
    model_profile: gpt-4o
    depends_on: [security, style]
    output_format: json
    fallback_model_profile: fast-local
)");
  CHECK(e.name == "review");
  CHECK(e.description == "Two reviewers and a synthesis");
  CHECK(e.default_input == "Review this code");
  CHECK(e.file == (dir.path() / "review.yaml").string());
  REQUIRE(e.agents.size() == 6);

  const auto& security = e.agents[0];
  CHECK(security.name == "security");
  CHECK(security.profile == "fast-local");
  CHECK(security.settings.system_prompt == "You are a security reviewer.");
  CHECK(security.settings.temperature == Approx(0.3));
  CHECK(security.settings.max_tokens == 500);
  CHECK(security.settings.timeout == std::chrono::seconds{30});
  CHECK_FALSE(security.settings.provider);
  CHECK_FALSE(security.prompt); // no dependencies: the ensemble input as it is
  CHECK(security.on_dependency_failure == dependency_failure_policy::skip);
  CHECK(security.where.line == 6);
  CHECK(security.location_of("temperature").line == 9);
  CHECK(security.location_of("temperature").column == 5);

  const auto& style = e.agents[1];
  CHECK(style.settings.provider == "ollama");
  CHECK(style.settings.model == "llama3");
  CHECK(style.settings.temperature == Approx(0.1));
  CHECK(style.settings.max_tokens == 200);
  CHECK_FALSE(style.profile);

  CHECK(e.agents[2].settings.provider == "anthropic");
  CHECK(e.agents[2].settings.model == "claude-sonnet");
  CHECK(e.agents[3].settings.provider == "openai");
  CHECK(e.agents[3].settings.base_url == "https://api.openai.com/v1");
  CHECK(e.agents[3].output_format == "json");
  CHECK(e.agents[4].settings.provider == "mock");

  const auto& synthesis = e.agents[5];
  CHECK(synthesis.depends_on == std::vector<std::string>{"security", "style"});
  CHECK(synthesis.output_format == "json");
  CHECK(synthesis.settings.fallback == std::vector<std::string>{"fast-local"});
  CHECK(synthesis.on_dependency_failure == dependency_failure_policy::run);
}

TEST_CASE("a dependant's prompt is llm-orc's composed input, word for word, with roles") {
  temp_dir dir;
  auto e = read_ok(dir, "e.yaml", R"(name: e
agents:
  - name: security
    model_profile: fast-local
  - name: code-style
    script: "echo style"
  - name: synthesis
    model_profile: gpt-4o
    depends_on: [security, code-style]
  - name: final
    model_profile: fast-local
    depends_on: [synthesis]
)");
  CHECK(agent_named(e, "synthesis").prompt ==
        wrapper_start +
            "Agent security (Fast Local):\n{agents.security}\n\n"
            "Agent code-style (Code Style):\n{agents.code-style}" +
            wrapper_end);
  // Python's str.title(): a letter after a digit starts a word.
  CHECK(agent_named(e, "final").prompt ==
        wrapper_start + "Agent synthesis (Gpt 4O):\n{agents.synthesis}" + wrapper_end);
}

TEST_CASE("input_scope: dependencies gives the blocks alone; another scope is an error") {
  temp_dir dir;
  auto e = read_ok(dir, "e.yaml", R"(name: e
agents:
  - {name: a, model_profile: local-small}
  - {name: b, model_profile: local-small}
  - name: c
    model_profile: local-small
    input_scope: dependencies
    depends_on: [a, b]
)");
  CHECK(agent_named(e, "c").prompt ==
        "Agent a (Local Small):\n{agents.a}\n\nAgent b (Local Small):\n{agents.b}");

  auto problems = problems_of(dir, R"(name: e
agents:
  - {name: a, model_profile: p}
  - {name: b, model_profile: p, depends_on: [a], input_scope: everything}
)");
  CHECK(has_problem(problems, definition_errc::invalid_value,
                    "e.yaml:4:63: agents.b.input_scope: 'everything' is not an input scope"));
}

TEST_CASE("fan_out splits the first dependency; depends_on takes maps with agent_name") {
  temp_dir dir;
  auto e = read_ok(dir, "e.yaml", R"(name: e
agents:
  - {name: list, script: "echo '[1,2]'"}
  - {name: extra, model_profile: p}
  - name: each
    model_profile: p
    fan_out: true
    input_key: items
    when: "${list.ok} == true"
    depends_on:
      - agent_name: list
      - extra
)");
  const auto& each = agent_named(e, "each");
  CHECK(each.depends_on == std::vector<std::string>{"list", "extra"});
  CHECK(each.fan_out == "list");
  CHECK(each.input_key == "items");
  CHECK(each.when == "${list.ok} == true");

  auto problems = problems_of(dir, R"(name: e
agents:
  - {name: a, model_profile: p}
  - name: b
    model_profile: p
    depends_on:
      - agent_name: a
        condition: "${a.ok}"
)");
  CHECK(has_problem(problems, definition_errc::unknown_key,
                    "e.yaml:8:9: agents.b.depends_on.condition: llm-orc reads only agent_name"));
}

TEST_CASE("a script is found in .llm-orc/scripts and run by the interpreter of its extension") {
  temp_dir dir;
  dir.write("proj/.llm-orc/scripts/count_words.py", "print(1)\n");
  dir.write("proj/.llm-orc/scripts/tools/split.sh", "echo\n");
  dir.write("proj/helpers/fetch.js", "1\n");
  dir.write("proj/.llm-orc/run.rb", "1\n");
  dir.write("proj/.llm-orc/scripts/plain", "echo\n");
  auto e = read_ok(dir, "proj/.llm-orc/ensembles/e.yaml", R"(name: e
agents:
  - name: words
    script: count-words.py
    parameters: {limit: 3, mode: fast, strict: true, tags: [a, b], quoted: "3"}
  - {name: split, script: scripts/tools/split.sh}
  - {name: fetch, script: helpers/fetch.js}
  - {name: ruby, script: run.rb}
  - {name: plain, script: scripts/plain}
  - {name: inline, script: "echo hello | wc -w"}
  - {name: after, script: "cat", depends_on: [words]}
)");
  const auto scripts = dir.path() / "proj" / ".llm-orc" / "scripts";
  const auto& words = agent_named(e, "words");
  CHECK(*words.script ==
        std::vector<std::string>{"python3", (scripts / "count_words.py").string()});
  CHECK(words.script_input_kind == script_input::json);
  REQUIRE(words.parameters);
  CHECK(
      *words.parameters ==
      nlohmann::json{
          {"limit", 3}, {"mode", "fast"}, {"strict", true}, {"tags", {"a", "b"}}, {"quoted", "3"}});
  CHECK(*agent_named(e, "split").script ==
        std::vector<std::string>{"bash", (scripts / "tools" / "split.sh").string()});
  CHECK(*agent_named(e, "fetch").script ==
        std::vector<std::string>{"node", (dir.path() / "proj" / "helpers" / "fetch.js").string()});
  CHECK(*agent_named(e, "ruby").script ==
        std::vector<std::string>{"ruby", (dir.path() / "proj" / ".llm-orc" / "run.rb").string()});
  CHECK(*agent_named(e, "plain").script ==
        std::vector<std::string>{"bash", (scripts / "plain").string()});
  CHECK(*agent_named(e, "inline").script ==
        std::vector<std::string>{"bash", "-c", "echo hello | wc -w"});
  const auto& after = agent_named(e, "after");
  CHECK_FALSE(after.prompt); // a script reads its dependencies as JSON
  CHECK(after.script_input_kind == script_input::json);
  CHECK(after.on_dependency_failure == dependency_failure_policy::run);
}

TEST_CASE("a script that is not found is an error listing the folders searched") {
  temp_dir dir;
  dir.write("proj/.llm-orc/config.yaml", "{}\n");
  auto problems = problems_of(dir, R"(name: e
agents:
  - name: a
    script: missing.py
  - name: b
    script: /no/such/file.sh
)");
  // No .llm-orc above the temp folder: the search starts at the file's folder.
  CHECK(has_problem(problems, definition_errc::not_found,
                    "e.yaml:4:13: agents.a.script: cannot find script 'missing.py' in " +
                        (dir.path() / ".llm-orc" / "scripts").string() + ", " +
                        (dir.path() / ".llm-orc").string() + ", " + dir.path().string()));
  CHECK(has_problem(problems, definition_errc::not_found,
                    "agents.b.script: /no/such/file.sh does not exist"));
}

TEST_CASE("ensemble and loop agents name their files; loop references are rooted at output") {
  temp_dir dir;
  dir.write("proj/.llm-orc/ensembles/build-round.yaml", "name: build-round\n");
  dir.write("proj/flows/sibling.yml", "name: sibling\n");
  auto e = read_ok(dir, "proj/flows/main.yaml", R"(name: main
agents:
  - {name: plan, model_profile: p}
  - {name: round, ensemble: build-round, depends_on: [plan]}
  - {name: side, ensemble: sibling}
  - {name: elsewhere, ensemble: not-here}
  - name: gated
    depends_on: [plan]
    loop:
      body: build-round
      until: "${diagnostics.accept} == true"
      max_iterations: 3
      carry: "${diagnostics.retry_input}"
)");
  const auto build_round =
      (dir.path() / "proj" / ".llm-orc" / "ensembles" / "build-round.yaml").string();
  const auto& round = agent_named(e, "round");
  CHECK(round.ensemble == build_round);
  CHECK(round.prompt == wrapper_start + "Agent plan (P):\n{agents.plan}" + wrapper_end);
  CHECK(agent_named(e, "side").ensemble == "sibling.yml");
  CHECK(agent_named(e, "elsewhere").ensemble == "not-here");
  const auto& gated = agent_named(e, "gated");
  REQUIRE(gated.loop);
  CHECK(gated.loop->body == build_round);
  CHECK(gated.loop->until == "${output.diagnostics.accept} == true");
  CHECK(gated.loop->max_iterations == 3);
  CHECK(gated.loop->carry == std::vector<std::string>{"${output.diagnostics.retry_input}"});
  CHECK(gated.loop->carry_replaces_input);
  CHECK(gated.prompt == wrapper_start + "Agent plan (P):\n{agents.plan}" + wrapper_end);
}

TEST_CASE("a loop needs max_iterations and knows only llm-orc's loop keys") {
  temp_dir dir;
  auto problems = problems_of(dir, R"(name: e
agents:
  - name: l
    loop:
      body: b
      until: "${x.done}"
      max_iteration: 3
)");
  CHECK(has_problem(problems, definition_errc::missing_field,
                    "agents.l.loop.max_iterations: is required"));
  CHECK(has_problem(problems, definition_errc::unknown_key,
                    "e.yaml:7:7: agents.l.loop.max_iteration: unknown key in a loop"));
  CHECK(has_problem(problems, definition_errc::unknown_key, "did you mean 'max_iterations'?"));
}

TEST_CASE("keys llm-orc rejects on an agent are errors at their line, with a suggestion") {
  temp_dir dir;
  auto problems = problems_of(dir, R"(name: e
agents:
  - name: a
    model_profile: p
    role: reviewer
    sytem_prompt: hi
  - name: s
    script: "echo"
    system_prompt: no
)");
  CHECK(has_problem(problems, definition_errc::unknown_key,
                    "e.yaml:5:5: agents.a.role: unknown agent key (llm-orc rejects it too)"));
  CHECK(has_problem(problems, definition_errc::unknown_key,
                    "e.yaml:6:5: agents.a.sytem_prompt: unknown agent key (llm-orc rejects it "
                    "too) (did you mean 'system_prompt'?)"));
  CHECK(has_problem(problems, definition_errc::unknown_key,
                    "e.yaml:9:5: agents.s.system_prompt: applies only to LLM agents, and this is "
                    "a script agent"));
}

TEST_CASE("unknown top-level keys are errors; llm-orc's tooling keys are notes") {
  temp_dir dir;
  std::vector<std::string> notes;
  auto file = dir.path() / "e.yaml";
  auto e = read_ok(dir, "e.yaml", R"(name: e
validation:
  structural: {required_agents: [a]}
test_mode: {}
agents:
  - {name: a, model_profile: p}
)",
                   &notes);
  CHECK(notes ==
        std::vector<std::string>{
            file.string() + ":2: validation: read by llm-orc's own tooling; tutti ignores it",
            file.string() + ":4: test_mode: read by llm-orc's own tooling; tutti ignores it"});

  auto problems = problems_of(dir, R"(name: e
agents:
  - {name: a, model_profile: p}
descripton: typo
)");
  CHECK(has_problem(problems, definition_errc::unknown_key,
                    "e.yaml:4:1: descripton: unknown key at the top of an llm-orc ensemble (did "
                    "you mean 'description'?)"));
}

TEST_CASE("what tutti cannot run is an error naming file and line") {
  temp_dir dir;
  auto problems = problems_of(dir, R"(name: e
agents:
  - {name: pick, dispatch: "${router.target}"}
  - name: gem
    model: gemini-pro
    provider: google-gemini
  - name: ctx
    model: llama3
    provider: ollama
    options:
      num_ctx: 8192
  - name: fmt
    model_profile: p
    ollama_format: {type: object}
  - name: half
    model: llama3
  - name: none
    system_prompt: hi
)");
  INFO(listing(problems));
  CHECK(has_problem(problems, definition_errc::invalid_value,
                    "e.yaml:3:18: agents.pick.dispatch: tutti does not run dispatch agents"));
  CHECK(has_problem(problems, definition_errc::invalid_value,
                    "e.yaml:6:15: agents.gem.provider: tutti cannot run llm-orc's provider "
                    "'google-gemini'"));
  CHECK(has_problem(problems, definition_errc::unknown_key,
                    "e.yaml:11:7: agents.ctx.options.num_ctx: tutti cannot pass Ollama option "
                    "'num_ctx'"));
  CHECK(has_problem(problems, definition_errc::invalid_value,
                    "e.yaml:14:20: agents.fmt.ollama_format: tutti can ask a model only for JSON"));
  CHECK(has_problem(problems, definition_errc::missing_field,
                    "e.yaml:16:5: agents.half.model: needs provider as well"));
  CHECK(has_problem(problems, definition_errc::no_model,
                    "e.yaml:17:5: agents.none: an LLM agent needs model_profile, or model and "
                    "provider"));
}

TEST_CASE("a YAML syntax error names the file, line and column") {
  auto e = read_llm_orc_ensemble("name: e\nagents:\n  - name: a\n    model_profile: [p\n",
                                 "broken.yaml");
  REQUIRE_FALSE(e.has_value());
  REQUIRE(e.problems().size() == 1);
  const auto& d = e.problems().front();
  CHECK(d.code == definition_errc::syntax_error);
  CHECK(d.where.file == "broken.yaml");
  CHECK(d.where.line >= 4);
  CHECK(d.where.column > 0);
}

TEST_CASE("the checks across agents are tutti's: unknown dependencies and cycles") {
  temp_dir dir;
  auto problems = problems_of(dir, R"(name: e
agents:
  - {name: a, model_profile: p, depends_on: [b]}
  - {name: b, model_profile: p, depends_on: [a]}
  - {name: c, model_profile: p, depends_on: [secruity]}
  - {name: security, model_profile: p}
)");
  CHECK(has_problem(problems, definition_errc::dependency_cycle, "dependency cycle: a -> b -> a"));
  CHECK(has_problem(problems, definition_errc::unknown_agent,
                    "agents.c.depends_on: unknown agent 'secruity' (did you mean 'security'?)"));
}

TEST_CASE("a missing name or agents list is an error; .yaml and .yml are llm-orc files") {
  temp_dir dir;
  auto problems = problems_of(dir, "description: nothing else\n");
  CHECK(has_problem(problems, definition_errc::missing_field, "name: is required"));
  CHECK(has_problem(problems, definition_errc::missing_field,
                    "agents: an llm-orc ensemble needs a list of agents"));
  CHECK(is_llm_orc_file("a/b.yaml"));
  CHECK(is_llm_orc_file("b.yml"));
  CHECK_FALSE(is_llm_orc_file("b.toml"));
}

TEST_CASE("input_key without a dependency is an error at its line, as in a TOML file") {
  temp_dir dir;
  auto problems = problems_of(dir, "name: e\nagents:\n  - name: a\n    model_profile: p\n"
                                   "    input_key: findings\n");
  INFO(listing(problems));
  CHECK(has_problem(problems, definition_errc::invalid_value,
                    "e.yaml:5:5: agents.a.input_key: picks a field of the first dependency's"));
}

TEST_CASE("parameters that alias themselves or explode through aliases are refused, not "
          "followed") {
  temp_dir dir;
  auto self = problems_of(dir, "name: e\nagents:\n  - name: a\n    script: echo hi\n"
                               "    parameters: &p {a: [*p]}\n");
  CHECK(has_problem(self, definition_errc::out_of_range,
                    "agents.a.parameters: nests deeper than 64 levels"));
  std::string laughs = "name: e\nx0: &x0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (int i = 1; i < 8; ++i) {
    const auto prev = "*x" + std::to_string(i - 1);
    laughs += "x" + std::to_string(i) + ": &x" + std::to_string(i) + " [" + prev + ", " + prev +
              ", " + prev + ", " + prev + ", " + prev + ", " + prev + ", " + prev + ", " + prev +
              ", " + prev + ", " + prev + "]\n";
  }
  laughs += "agents:\n  - name: a\n    script: echo hi\n    parameters: {all: *x7}\n";
  auto bomb = problems_of(dir, laughs);
  CHECK(has_problem(bomb, definition_errc::out_of_range, "holds more than 100000 values"));
}
