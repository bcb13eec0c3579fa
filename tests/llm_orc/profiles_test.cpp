#include "support/diagnostics_match.hpp"
#include "support/temp_dir.hpp"

#include <tutti/llm_orc/profiles.hpp>

#include <catch2/catch.hpp>

#include <algorithm>

using namespace tutti::definition;
using tutti::llm_orc::load_llm_orc_profiles;
using tutti::test::has_problem;
using tutti::test::listing;
using tutti::test::temp_dir;

namespace {

// A home folder and a project below it, with nothing read from the real environment.
struct profile_dirs {
  temp_dir dir;
  std::filesystem::path home() const { return dir.path() / "home"; }
  std::filesystem::path project() const { return dir.path() / "work" / "project"; }
  environment env() const { return fixed_environment({{"HOME", home().string()}}); }
};

std::map<std::string, profile> load_ok(const std::filesystem::path& working_dir,
                                       const environment& env) {
  auto profiles = load_llm_orc_profiles(working_dir, env);
  INFO(listing(profiles.problems()));
  REQUIRE(profiles.has_value());
  return *profiles;
}

diagnostics problems_of(const profile_dirs& d) {
  auto profiles = load_llm_orc_profiles(d.project(), d.env());
  INFO("expected the profiles to be rejected");
  REQUIRE_FALSE(profiles.has_value());
  return profiles.problems();
}

} // namespace

TEST_CASE("profile keys map onto model settings, with llm-orc's providers") {
  profile_dirs d;
  auto config = d.dir.write("home/.config/llm-orc/config.yaml", R"(project:
  name: ignored
model_profiles:
  fast-local:
    model: llama3.2
    system_prompt: Be brief.
    timeout_seconds: 45
    cost_per_token: 0.0
    options:
      temperature: 0.2
      num_predict: 300
  claude:
    model: claude-sonnet-4
    provider: anthropic-api
  compat:
    model: qwen
    provider: openai-compatible
    base_url: http://gpu-box:8000/v1/
  default-openai:
    model: gpt-4o
    provider: openai-compatible/team
  pretend:
    model: mock-fast
    provider: anthropic-api
)");
  auto profiles = load_ok(d.project(), d.env());
  REQUIRE(profiles.size() == 5);
  const auto& fast = profiles.at("fast-local");
  CHECK(fast.name == "fast-local");
  CHECK(fast.settings.provider == "ollama");
  CHECK(fast.settings.model == "llama3.2");
  CHECK(fast.settings.system_prompt == "Be brief.");
  CHECK(fast.settings.timeout == std::chrono::seconds{45});
  CHECK(fast.settings.temperature == Approx(0.2));
  CHECK(fast.settings.max_tokens == 300);
  CHECK_FALSE(fast.settings.fallback);
  CHECK(fast.where.file == config.string());
  CHECK(fast.where.line == 4);
  CHECK(profiles.at("claude").settings.provider == "anthropic");
  CHECK(profiles.at("compat").settings.provider == "openai");
  CHECK(profiles.at("compat").settings.base_url == "http://gpu-box:8000/v1");
  CHECK(profiles.at("default-openai").settings.base_url == "https://api.openai.com/v1");
  CHECK(profiles.at("pretend").settings.provider == "mock");
}

TEST_CASE("later sources replace whole profiles: global config, global files, local") {
  profile_dirs d;
  d.dir.write("home/.config/llm-orc/config.yaml", R"(model_profiles:
  a: {model: global-a, system_prompt: kept only in the global one}
  b: {model: global-b}
  c: {model: global-c}
  d: {model: global-d}
)");
  d.dir.write("home/.config/llm-orc/profiles/b.yaml", "name: b\nmodel: global-file-b\n");
  d.dir.write("home/.config/llm-orc/profiles/z.local.yaml", "name: c\nmodel: local-override-c\n");
  d.dir.write("home/.config/llm-orc/profiles/zz.yaml", "name: c\nmodel: sorted-before-local\n");
  // A file of a model_profiles map, which llm-orc passes over (its own repository has one):
  // tutti reads it as config.yaml's.
  d.dir.write("home/.config/llm-orc/profiles/many.yaml", "model_profiles:\n  x: {model: y}\n");
  d.dir.write("work/.llm-orc/config.yaml", "model_profiles:\n  a: {model: local-a}\n");
  d.dir.write("work/.llm-orc/profiles/d.yaml", "name: d\nmodel: local-file-d\n");
  std::filesystem::create_directories(d.project() / "src");
  // Found by walking up from a folder below the project.
  auto profiles = load_ok(d.project() / "src", d.env());
  CHECK(profiles.at("a").settings.model == "local-a");
  CHECK_FALSE(profiles.at("a").settings.system_prompt); // replaced whole, not merged
  CHECK(profiles.at("b").settings.model == "global-file-b");
  CHECK(profiles.at("c").settings.model == "local-override-c");
  CHECK(profiles.at("d").settings.model == "local-file-d");
  REQUIRE(profiles.count("x") == 1);
  CHECK(profiles.at("x").settings.model == "y");
}

TEST_CASE("XDG_CONFIG_HOME is the global folder's home when set, else HOME/.config") {
  profile_dirs d;
  d.dir.write("xdg/llm-orc/config.yaml", "model_profiles:\n  p: {model: from-xdg}\n");
  d.dir.write("home/.config/llm-orc/config.yaml", "model_profiles:\n  p: {model: from-home}\n");
  auto with_xdg = fixed_environment(
      {{"HOME", d.home().string()}, {"XDG_CONFIG_HOME", (d.dir.path() / "xdg").string()}});
  CHECK(load_ok(d.project(), with_xdg).at("p").settings.model == "from-xdg");
  CHECK(load_ok(d.project(), d.env()).at("p").settings.model == "from-home");
  CHECK(load_ok(d.project(), fixed_environment({})).empty());
}

TEST_CASE("a fallback chain is flattened into the profile's fallback list") {
  profile_dirs d;
  d.dir.write("work/.llm-orc/config.yaml", R"(model_profiles:
  big: {model: llama3:70b, fallback_model_profile: medium}
  medium: {model: llama3:8b, fallback_model_profile: small}
  small: {model: llama3:1b}
)");
  auto profiles = load_ok(d.project(), d.env());
  CHECK(profiles.at("big").settings.fallback == std::vector<std::string>{"medium", "small"});
  CHECK(profiles.at("medium").settings.fallback == std::vector<std::string>{"small"});
  CHECK_FALSE(profiles.at("small").settings.fallback);
}

TEST_CASE("a fallback cycle and a fallback to no profile are errors at their line") {
  profile_dirs d;
  d.dir.write("work/.llm-orc/config.yaml", R"(model_profiles:
  a: {model: m, fallback_model_profile: b}
  b: {model: m, fallback_model_profile: c}
  c: {model: m, fallback_model_profile: a}
  lone: {model: m, fallback_model_profile: smal}
  small: {model: m}
)");
  auto problems = problems_of(d);
  INFO(listing(problems));
  CHECK(has_problem(problems, definition_errc::dependency_cycle,
                    "config.yaml:2:41: model_profiles.a.fallback_model_profile: the "
                    "fallback_model_profile chain goes round in a cycle: a -> b -> c -> a"));
  CHECK(std::count_if(problems.begin(), problems.end(), [](const diagnostic& p) {
          return p.code == definition_errc::dependency_cycle;
        }) == 1);
  CHECK(has_problem(problems, definition_errc::unknown_profile,
                    "config.yaml:5:44: model_profiles.lone.fallback_model_profile: 'smal' is no "
                    "llm-orc profile (did you mean 'small'?)"));
}

TEST_CASE("what tutti cannot do with a profile is an error naming file, line and key") {
  profile_dirs d;
  d.dir.write("work/.llm-orc/config.yaml", R"(model_profiles:
  gem:
    model: gemini-2.0
    provider: google-gemini
  ctx:
    model: llama3
    options:
      num_ctx: 8192
  url:
    model: llama3
    base_url: http://localhost:11434
  typo:
    modle: llama3
)");
  d.dir.write("work/.llm-orc/profiles/warm.yaml", "name: warm\nmodel: m\ntemperature: 0.9\n");
  auto problems = problems_of(d);
  INFO(listing(problems));
  CHECK(has_problem(problems, definition_errc::invalid_value,
                    "config.yaml:4:15: model_profiles.gem.provider: tutti cannot run llm-orc's "
                    "provider 'google-gemini'"));
  CHECK(has_problem(problems, definition_errc::unknown_key,
                    "config.yaml:8:7: model_profiles.ctx.options.num_ctx: tutti cannot pass "
                    "Ollama option 'num_ctx'"));
  CHECK(has_problem(problems, definition_errc::conflicting_fields,
                    "config.yaml:11:5: model_profiles.url.base_url: applies only to the "
                    "openai-compatible provider"));
  CHECK(has_problem(problems, definition_errc::unknown_key,
                    "config.yaml:13:5: model_profiles.typo.modle: unknown key in an llm-orc "
                    "profile (did you mean 'model'?)"));
  CHECK(has_problem(problems, definition_errc::unknown_key,
                    "warm.yaml:3:1: temperature: llm-orc does not apply a profile's temperature"));
}

TEST_CASE("a profile file with a syntax error is an error at its line") {
  profile_dirs d;
  d.dir.write("work/.llm-orc/profiles/bad.yaml", "name: bad\nmodel: [m\n");
  auto problems = problems_of(d);
  REQUIRE(problems.size() == 1);
  CHECK(problems.front().code == definition_errc::syntax_error);
  CHECK(problems.front().where.file == (d.dir.path() / "work/.llm-orc/profiles/bad.yaml").string());
  CHECK(problems.front().where.line >= 2);
}
