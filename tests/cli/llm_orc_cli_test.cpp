// llm-orc's files through the commands a user types: `tutti run FILE.yaml` with llm-orc's
// profiles and scripts, its errors at file:line, and `tutti convert`.
#include "support/temp_dir.hpp"
#include "support/tutti_in.hpp"

#include <tutti/definition/ensemble_parser.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using nlohmann::json;
using tutti::test::temp_dir;
using tutti::test::tutti_in;

namespace {

// A project as llm-orc lays it out: profiles in .llm-orc/config.yaml and profiles/, a script in
// .llm-orc/scripts, the ensembles in .llm-orc/ensembles; HOME holds no llm-orc folder.
void llm_orc_project(const temp_dir& dir) {
  dir.write(".llm-orc/config.yaml", R"(
model_profiles:
  quick:
    model: mock-quick
    provider: ollama
    system_prompt: Be quick.
)");
  dir.write(".llm-orc/profiles/careful.yaml", "name: careful-reviewer\nmodel: mock-careful\n"
                                              "fallback_model_profile: quick\n");
  dir.write(".llm-orc/scripts/split_lines.sh",
            "python3 -c 'import json,sys; d=json.load(sys.stdin); "
            "print(json.dumps({\"data\": [l for l in d[\"input\"].splitlines() if l]}))'\n");
  dir.write(".llm-orc/ensembles/triage.yaml", R"(name: triage
description: split, review each, summarise when the split worked
default_task: "one\ntwo"
agents:
  - name: split
    script: split_lines.sh
  - name: review
    model_profile: careful-reviewer
    depends_on: [split]
    fan_out: true
  - name: summary
    model_profile: quick
    depends_on:
      - agent_name: review
    when: "${split.data.0} == one"
test_mode:
  enabled: true
)");
  dir.write("home/.keep", "");
}

std::map<std::string, std::string> env_of(const temp_dir& dir) {
  return {{"HOME", (dir.path() / "home").string()}, {"PATH", "/usr/bin:/bin"}};
}

} // namespace

TEST_CASE("tutti run FILE.yaml runs an llm-orc ensemble with llm-orc's profiles and scripts") {
  temp_dir dir;
  llm_orc_project(dir);
  auto r =
      tutti_in(dir.path(), {"run", ".llm-orc/ensembles/triage.yaml", "--json", "--include-prompts"},
               env_of(dir));
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK(r.err.find("triage.yaml:16: test_mode: read by llm-orc's own tooling; tutti ignores it") !=
        std::string::npos);
  const auto j = json::parse(r.out);
  CHECK(j.at("status") == "completed");
  const auto& review = j.at("agents").at("review");
  CHECK(review.at("profile") == "careful-reviewer");
  CHECK(review.at("model") == "mock-careful");
  REQUIRE(review.at("instances").size() == 2);
  // llm-orc's composition of the dependencies' outputs, with the role from the profile name.
  const auto& summary = j.at("agents").at("summary");
  CHECK(summary.at("status") == "success");
  CHECK(summary.at("model") == "mock-quick");
  const auto prompt = summary.at("prompt").get<std::string>();
  CHECK(prompt.find("Original Input:\none\ntwo\n\nPrevious Agent Results (for your "
                    "reference):\nAgent review (Careful Reviewer):\n[") != std::string::npos);
}

TEST_CASE("an llm-orc file tutti cannot honour is refused at its line, naming the field") {
  temp_dir dir;
  llm_orc_project(dir);
  dir.write("bad.yaml", "name: bad\ndescription: x\nagents:\n  - name: a\n    model_profile: "
                        "quick\n    role: reviewer\n");
  auto r = tutti_in(dir.path(), {"validate", "bad.yaml"}, env_of(dir));
  CHECK(r.code == 2);
  CHECK(r.err.find("bad.yaml:6:5: agents.a.role:") != std::string::npos);

  dir.write("unknown.yaml", "name: u\ndescription: x\nagents:\n  - name: a\n    model_profile: "
                            "quik\n");
  auto unknown = tutti_in(dir.path(), {"run", "unknown.yaml"}, env_of(dir));
  CHECK(unknown.code == 2);
  CHECK(unknown.err.find("unknown profile 'quik' (did you mean 'quick'?)") != std::string::npos);
}

TEST_CASE("tutti convert prints the ensemble as TOML that tutti reads back, profiles after it") {
  temp_dir dir;
  llm_orc_project(dir);
  auto r = tutti_in(dir.path(), {"convert", ".llm-orc/ensembles/triage.yaml"}, env_of(dir));
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK(r.out.find("# [profiles.careful-reviewer]") != std::string::npos);
  auto e = tutti::definition::parse_ensemble(r.out, "converted.toml");
  REQUIRE(e);
  REQUIRE(e->agents.size() == 3);
  CHECK(e->agents[1].profile == "careful-reviewer");
  CHECK(e->agents[1].fan_out == "split");
  CHECK(e->agents[2].when == "${split.data.0} == one");
  CHECK(e->default_input == "one\ntwo");
}
