#include "support/diagnostics_match.hpp"
#include "support/temp_dir.hpp"

#include <tutti/definition/config_loader.hpp>
#include <tutti/definition/ensemble_parser.hpp>
#include <tutti/llm_orc/ensemble_reader.hpp>
#include <tutti/llm_orc/profiles.hpp>
#include <tutti/llm_orc/toml_writer.hpp>

#include <catch2/catch.hpp>
#include <toml++/toml.h>

using namespace tutti::definition;
using tutti::llm_orc::load_llm_orc_ensemble;
using tutti::llm_orc::load_llm_orc_profiles;
using tutti::llm_orc::profiles_toml;
using tutti::llm_orc::profiles_used_by;
using tutti::llm_orc::to_toml;
using tutti::test::listing;
using tutti::test::temp_dir;

namespace {

ensemble read_yaml(const temp_dir& dir, const std::string& yaml) {
  auto e = load_llm_orc_ensemble(dir.write("proj/e.yaml", yaml));
  INFO(listing(e.problems()));
  REQUIRE(e.has_value());
  return *e;
}

void check_same_settings(const model_settings& a, const model_settings& b) {
  CHECK(a.provider == b.provider);
  CHECK(a.base_url == b.base_url);
  CHECK(a.model == b.model);
  CHECK(a.system_prompt == b.system_prompt);
  CHECK(a.timeout == b.timeout);
  CHECK(a.temperature == b.temperature);
  CHECK(a.max_tokens == b.max_tokens);
  CHECK(a.fallback == b.fallback);
}

} // namespace

TEST_CASE("to_toml writes an ensemble that parse_ensemble reads back the same") {
  temp_dir dir;
  dir.write("proj/.llm-orc/scripts/split_items.py", "print('[]')\n");
  dir.write("proj/.llm-orc/ensembles/round.yaml", "name: round\n");
  auto original = read_yaml(dir, R"(name: "review \"quoted\""
description: 'Reviews, with a backslash \ and a tab	here'
default_task: |
  Review this:
  'single' and "double" quotes, ''' and """ too
agents:
  - name: security
    model_profile: fast-local
    system_prompt: "You are a reviewer.\nBe terse."
    temperature: 0.25
    max_tokens: 400
    timeout_seconds: 2.5
    fallback_model_profile: small
  - name: style
    model: llama3
    provider: openai-compatible
  - name: items
    script: split-items.py
    depends_on: [security]
  - name: each
    model_profile: fast-local
    depends_on: [items, style]
    fan_out: true
    when: "${items.ok} == true"
  - name: rounds
    depends_on: [each]
    input_scope: dependencies
    loop: {body: round, until: "${review.done}", max_iterations: 4, carry: "${review.next}"}
  - {name: once, ensemble: round, timeout_seconds: 60}
  - {name: inline, script: "echo 'hi' | tr a-z A-Z"}
)");
  auto text = to_toml(original);
  INFO(text);
  auto back = parse_ensemble(text, "back.toml");
  INFO(listing(back.problems()));
  REQUIRE(back.has_value());
  CHECK(back->name == "review \"quoted\"");
  CHECK(back->description == original.description);
  CHECK(back->default_input ==
        "Review this:\n'single' and \"double\" quotes, ''' and \"\"\" too\n");
  REQUIRE(back->agents.size() == original.agents.size());
  for (std::size_t i = 0; i < original.agents.size(); ++i) {
    const auto& a = original.agents[i];
    const auto& b = back->agents[i];
    INFO("agent " << a.name);
    CHECK(b.name == a.name);
    CHECK(b.profile == a.profile);
    check_same_settings(a.settings, b.settings);
    CHECK(b.prompt == a.prompt);
    CHECK(b.depends_on == a.depends_on);
    CHECK(b.on_dependency_failure == a.on_dependency_failure);
    CHECK(b.when == a.when);
    CHECK(b.fan_out == a.fan_out);
    CHECK(b.script == a.script);
    CHECK(b.script_input_kind == a.script_input_kind);
    CHECK(b.ensemble == a.ensemble);
    REQUIRE(b.loop.has_value() == a.loop.has_value());
    if (a.loop) {
      CHECK(b.loop->body == a.loop->body);
      CHECK(b.loop->until == a.loop->until);
      CHECK(b.loop->max_iterations == a.loop->max_iterations);
      CHECK(b.loop->carry == a.loop->carry);
      CHECK(b.loop->carry_replaces_input == a.loop->carry_replaces_input);
    }
  }
  // The values that matter were there to be compared, not absent on both sides.
  CHECK(back->agents[0].settings.timeout == std::chrono::milliseconds{2500});
  CHECK(back->agents[3].prompt->find("Agent items (Items):\n{agents.items}") != std::string::npos);
  CHECK(back->agents[4].loop->until == "${output.review.done}");
  CHECK(back->agents[6].script == std::vector<std::string>{"bash", "-c", "echo 'hi' | tr a-z A-Z"});
}

TEST_CASE("to_toml writes parameters, input_key and output_format as TOML values") {
  temp_dir dir;
  dir.write("proj/tool.sh", "echo\n");
  auto e = read_yaml(dir, R"(name: e
agents:
  - name: tool
    script: tool.sh
    parameters: {limit: 3, ratio: 0.5, mode: "fast", nested: {on: true, list: [1, "two"]}}
  - name: pick
    model_profile: p
    depends_on: [tool]
    input_key: items
    output_format: json
)");
  auto table = toml::parse(to_toml(e));
  auto* agents = table["agents"].as_array();
  REQUIRE(agents);
  REQUIRE(agents->size() == 2);
  auto tool = *agents->get(0)->as_table();
  CHECK(tool["parameters"]["limit"].value<int64_t>() == 3);
  CHECK(tool["parameters"]["ratio"].value<double>() == 0.5);
  CHECK(tool["parameters"]["mode"].value<std::string>() == "fast");
  CHECK(tool["parameters"]["nested"]["on"].value<bool>() == true);
  CHECK(tool["parameters"]["nested"]["list"][1].value<std::string>() == "two");
  CHECK(tool["script_input"].value<std::string>() == "json");
  auto pick = *agents->get(1)->as_table();
  CHECK(pick["input_key"].value<std::string>() == "items");
  CHECK(pick["output_format"].value<std::string>() == "json");
  CHECK(pick["on_dependency_failure"].value<std::string>() == "run");
}

TEST_CASE("profiles_toml gives the profiles an ensemble uses, as a tutti configuration reads") {
  temp_dir dir;
  dir.write("proj/.llm-orc/config.yaml", R"(model_profiles:
  fast-local: {model: llama3, timeout_seconds: 30, fallback_model_profile: small,
               system_prompt: "Be \"brief\"."}
  small: {model: "llama3:1b", options: {temperature: 0.1, num_predict: 64}}
  compat: {model: qwen, provider: openai-compatible, base_url: "http://box:8000/v1"}
  unused: {model: other}
)");
  auto profiles = load_llm_orc_profiles(dir.path() / "proj", fixed_environment({}));
  INFO(listing(profiles.problems()));
  REQUIRE(profiles.has_value());
  auto e = read_yaml(dir, R"(name: e
agents:
  - {name: a, model_profile: fast-local}
  - {name: b, model_profile: compat}
)");
  auto used = profiles_used_by(e, *profiles);
  CHECK(used.size() == 3);
  CHECK(used.count("unused") == 0);
  auto text = profiles_toml(used);
  INFO(text);
  CHECK(text.find("[profiles.fast-local]") != std::string::npos);
  auto config = parse_config(text, "tutti.toml", fixed_environment({}));
  INFO(listing(config.problems()));
  REQUIRE(config.has_value());
  const auto& fast = config->profiles.at("fast-local").settings;
  CHECK(fast.provider == "ollama");
  CHECK(fast.model == "llama3");
  CHECK(fast.system_prompt == "Be \"brief\".");
  CHECK(fast.timeout == std::chrono::seconds{30});
  CHECK(fast.fallback == std::vector<std::string>{"small"});
  const auto& small = config->profiles.at("small").settings;
  CHECK(small.model == "llama3:1b");
  CHECK(small.temperature == Approx(0.1));
  CHECK(small.max_tokens == 64);
  const auto& compat = config->profiles.at("compat").settings;
  CHECK(compat.provider == "openai");
  CHECK(compat.base_url == "http://box:8000/v1");
}
