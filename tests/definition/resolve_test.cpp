#include "support/diagnostics_match.hpp"
#include "support/temp_dir.hpp"

#include <tutti/definition/config_loader.hpp>
#include <tutti/definition/ensemble_parser.hpp>
#include <tutti/definition/resolved_ensemble.hpp>

#include <catch2/catch.hpp>

using namespace tutti::definition;
using namespace std::chrono_literals;
using tutti::test::has_problem;
using tutti::test::listing;

namespace {

const std::string configuration = R"(
[limits]
max_concurrent_agents = 6
max_concurrent_llm_calls = 12
agent_timeout_seconds = 45
ensemble_timeout_seconds = 200

[backends.studio]
provider = "lmstudio"
api_key_env = "STUDIO_KEY"

[profiles.fast-local]
backend = "studio"
model = "qwen"
system_prompt = "Be brief."
timeout_seconds = 30
temperature = 0.1

[profiles.smart-remote]
provider = "anthropic"
model = "claude"
)";

outcome<resolved_ensemble> resolved(const std::string& ensemble_text) {
  auto c = parse_config(configuration, "tutti.toml", fixed_environment({}));
  REQUIRE(c.has_value());
  auto e = parse_ensemble(ensemble_text, "e.toml");
  INFO(listing(e.problems()));
  REQUIRE(e.has_value());
  return resolve(*e, *c);
}

} // namespace

TEST_CASE("an agent's own settings override its profile's, field by field") {
  auto r = resolved(R"(
name = "e"
[[agents]]
name = "a"
profile = "fast-local"
model = "qwen-14b"
temperature = 0.7
max_tokens = 99
)");
  INFO(listing(r.problems()));
  REQUIRE(r.has_value());
  const auto& a = r->agents.at(0);
  CHECK(a.backend.name == "studio");
  CHECK(a.backend.api_key_env == "STUDIO_KEY");
  CHECK(a.model == "qwen-14b");
  CHECK(a.system_prompt == "Be brief.");
  CHECK(a.timeout == 30s);
  CHECK(a.temperature == Approx(0.7));
  CHECK(a.max_tokens == 99);
}

TEST_CASE("an agent naming a provider replaces its profile's backend") {
  auto r = resolved(R"(
name = "e"
[[agents]]
name = "a"
profile = "fast-local"
provider = "ollama"
)");
  REQUIRE(r.has_value());
  CHECK(r->agents[0].backend.name == "ollama");
  CHECK(r->agents[0].model == "qwen");
}

TEST_CASE("priority comes from the agent, else the ensemble, else 5") {
  auto r = resolved(R"(
name = "e"
priority = 7
[[agents]]
name = "a"
provider = "mock"
priority = 9
[[agents]]
name = "b"
provider = "mock"
)");
  REQUIRE(r.has_value());
  CHECK(r->agents[0].priority == 9);
  CHECK(r->agents[1].priority == 7);
  auto plain = resolved("name = \"e\"\n[[agents]]\nname = \"a\"\nprovider = \"mock\"\n");
  REQUIRE(plain.has_value());
  CHECK(plain->agents[0].priority == 5);
}

TEST_CASE("timeouts and caps come from the agent or ensemble, else the profile, else [limits]") {
  auto r = resolved(R"(
name = "e"
[[agents]]
name = "a"
provider = "mock"
[[agents]]
name = "b"
provider = "mock"
timeout_seconds = 5
[[agents]]
name = "c"
profile = "fast-local"
depends_on = ["a", "b"]
)");
  REQUIRE(r.has_value());
  CHECK(r->agents[0].timeout == 45s);
  CHECK(r->agents[1].timeout == 5s);
  CHECK(r->agents[2].timeout == 30s);
  CHECK(r->agents[2].dependency_indices == std::vector<std::size_t>{0, 1});
  CHECK(r->max_concurrent_agents == 6);
  CHECK(r->max_concurrent_llm_calls == 12);
  CHECK(r->timeout == 200s);
  CHECK(r->phases == phase_plan{{0, 1}, {2}});

  auto own = resolved(R"(
name = "e"
max_concurrent_agents = 2
timeout_seconds = 10
[[agents]]
name = "a"
provider = "mock"
)");
  REQUIRE(own.has_value());
  CHECK(own->max_concurrent_agents == 2);
  CHECK(own->timeout == 10s);
}

TEST_CASE("an inline provider and base URL make a backend of their own, with no key") {
  auto r = resolved(R"(
name = "e"
[[agents]]
name = "a"
provider = "openai"
base_url = "http://localhost:8080"
model = "local-model"
)");
  REQUIRE(r.has_value());
  const auto& b = r->agents[0].backend;
  CHECK(b.provider == provider_kind::openai);
  CHECK(b.base_url == "http://localhost:8080");
  CHECK(b.name == "openai@http://localhost:8080");
  CHECK(b.api_key_env.empty());
}

TEST_CASE("unknown profiles and backends are reported where the ensemble names them") {
  auto r = resolved(R"(
name = "e"
[[agents]]
name = "a"
profile = "fast-locl"
[[agents]]
name = "b"
backend = "stduio"
model = "m"
)");
  REQUIRE_FALSE(r.has_value());
  CHECK(has_problem(r.problems(), definition_errc::unknown_profile,
                    "e.toml:5:1: agents.a.profile: unknown profile 'fast-locl' (did you mean "
                    "'fast-local'?); the profiles are fast-local"));
  CHECK(has_problem(r.problems(), definition_errc::unknown_profile, "(from tutti.toml)"));
  CHECK(has_problem(r.problems(), definition_errc::unknown_backend,
                    "e.toml:8:1: agents.b.backend: unknown backend 'stduio' (did you mean "
                    "'studio'?)"));
}

TEST_CASE("an agent with no model is an error, except on the mock") {
  auto r = resolved(R"(
name = "e"
[[agents]]
name = "a"
provider = "ollama"
[[agents]]
name = "b"
system_prompt = "nothing else"
[[agents]]
name = "c"
provider = "mock"
)");
  REQUIRE_FALSE(r.has_value());
  CHECK(has_problem(r.problems(), definition_errc::no_model,
                    "agents.a.model: agent 'a' has no model: set model (its backend 'ollama' "
                    "needs one)"));
  CHECK(has_problem(r.problems(), definition_errc::no_model,
                    "agents.b.name: agent 'b' has no model: set profile, backend, or provider "
                    "and model"));
  CHECK(r.problems().size() == 2);
}

TEST_CASE("mock settings on an agent of another provider are an error") {
  auto r = resolved(R"(
name = "e"
[[agents]]
name = "a"
profile = "smart-remote"
mock = { latency_ms = 5 }
)");
  REQUIRE_FALSE(r.has_value());
  CHECK(has_problem(r.problems(), definition_errc::conflicting_fields,
                    "agents.a.mock: mock settings apply only to the mock provider"));
}

TEST_CASE("each resolved agent knows its phase, policy and mock settings") {
  auto r = resolved(R"(
name = "e"
scheduling = "eager"
[[agents]]
name = "a"
provider = "mock"
mock = { reply = "hi" }
[[agents]]
name = "b"
provider = "mock"
depends_on = ["a"]
on_dependency_failure = "run"
)");
  REQUIRE(r.has_value());
  CHECK(r->scheduling == scheduling_policy::eager);
  CHECK(r->agents[0].phase == 0);
  CHECK(r->agents[1].phase == 1);
  CHECK(r->agents[0].mock.reply == "hi");
  CHECK(r->agents[1].on_dependency_failure == dependency_failure_policy::run);
}

TEST_CASE("fallbacks resolve to their profiles' models, with the agent's own prompt and "
          "options over them") {
  auto r = resolved(R"(
name = "e"
[[agents]]
name = "a"
profile = "fast-local"
system_prompt = "Mine."
temperature = 0.7
fallback = ["smart-remote"]
[[agents]]
name = "b"
provider = "mock"
)");
  REQUIRE(r.has_value());
  const auto& a = r->agents[0];
  REQUIRE(a.fallbacks.size() == 1);
  CHECK(a.fallbacks[0].profile == "smart-remote");
  CHECK(a.fallbacks[0].backend.provider == provider_kind::anthropic);
  CHECK(a.fallbacks[0].model == "claude");
  CHECK(a.fallbacks[0].system_prompt == "Mine.");
  CHECK(a.fallbacks[0].temperature == 0.7);
  CHECK(a.model == "qwen");
  CHECK(r->agents[1].fallbacks.empty());
}

TEST_CASE("a profile's fallbacks are its agents' unless an agent gives its own") {
  auto c = parse_config(configuration + "[profiles.spare]\nprovider = \"mock\"\n"
                                        "[profiles.first]\nprovider = \"mock\"\n"
                                        "fallback = [\"spare\"]\n",
                        "tutti.toml", fixed_environment({}));
  INFO(listing(c.problems()));
  REQUIRE(c.has_value());
  auto e = parse_ensemble(R"(
name = "e"
[[agents]]
name = "a"
profile = "first"
[[agents]]
name = "b"
profile = "first"
fallback = ["smart-remote"]
)",
                          "e.toml");
  REQUIRE(e.has_value());
  auto r = resolve(*e, *c);
  REQUIRE(r.has_value());
  REQUIRE(r->agents[0].fallbacks.size() == 1);
  CHECK(r->agents[0].fallbacks[0].profile == "spare");
  REQUIRE(r->agents[1].fallbacks.size() == 1);
  CHECK(r->agents[1].fallbacks[0].profile == "smart-remote");
}

TEST_CASE("a fallback that names no profile, the agent's own, one twice, or one without a model "
          "is an error where it is written") {
  auto c = parse_config(configuration + "[profiles.no-model]\nbackend = \"studio\"\n", "tutti.toml",
                        fixed_environment({}));
  REQUIRE(c.has_value());
  auto e = parse_ensemble(R"(
name = "e"
[[agents]]
name = "typo"
profile = "fast-local"
fallback = ["smart-remot"]
[[agents]]
name = "own"
profile = "fast-local"
fallback = ["fast-local"]
[[agents]]
name = "twice"
provider = "mock"
fallback = ["smart-remote", "smart-remote"]
[[agents]]
name = "modelless"
provider = "mock"
fallback = ["no-model"]
)",
                          "e.toml");
  REQUIRE(e.has_value());
  auto r = resolve(*e, *c);
  REQUIRE_FALSE(r.has_value());
  const auto& problems = r.problems();
  INFO(listing(problems));
  CHECK(has_problem(problems, definition_errc::unknown_profile,
                    "e.toml:6:1: agents.typo.fallback: unknown profile 'smart-remot' (did you "
                    "mean 'smart-remote'?)"));
  CHECK(has_problem(problems, definition_errc::invalid_value,
                    "agents.own.fallback: names 'fast-local', the agent's own profile"));
  CHECK(has_problem(problems, definition_errc::invalid_value,
                    "agents.twice.fallback: names 'smart-remote' twice"));
  CHECK(has_problem(problems, definition_errc::invalid_value,
                    "agents.modelless.fallback: profile 'no-model' cannot be fallen back to: it "
                    "names no model"));
  CHECK(problems.size() == 4);
}

TEST_CASE("a fan-out agent knows which of its dependencies it splits") {
  auto r = resolved(R"(
name = "e"
[[agents]]
name = "a"
provider = "mock"
[[agents]]
name = "b"
provider = "mock"
[[agents]]
name = "only"
provider = "mock"
depends_on = ["b"]
fan_out = true
[[agents]]
name = "second"
provider = "mock"
depends_on = ["a", "b"]
fan_out = "b"
)");
  REQUIRE(r.has_value());
  CHECK_FALSE(r->agents[0].fan_out.has_value());
  CHECK(r->agents[2].fan_out == 0u);
  CHECK(r->agents[3].fan_out == 1u);
}

TEST_CASE("mock settings come from the profile, field by field under the agent's own") {
  auto c = parse_config(R"(
[profiles.fake]
provider = "mock"
mock = { latency_ms = 300, reply = "from the profile" }
)",
                        "tutti.toml", fixed_environment({}));
  REQUIRE(c.has_value());
  auto e = parse_ensemble(
      "name = \"e\"\n[[agents]]\nname = \"a\"\nprofile = \"fake\"\nmock = { latency_ms = 5 }\n",
      "e.toml");
  REQUIRE(e.has_value());
  auto r = resolve(*e, *c);
  REQUIRE(r.has_value());
  CHECK(r->agents[0].mock.latency == 5ms);
  CHECK(r->agents[0].mock.reply == "from the profile");
}

TEST_CASE("the references of an ensemble whose condition does not parse are still checked") {
  auto c = parse_config(configuration, "tutti.toml", fixed_environment({}));
  REQUIRE(c.has_value());
  auto read = read_ensemble(R"(
name = "e"
[[agents]]
name = "d"
profile = "fast-lcal"
[[agents]]
name = "x"
provider = "mock"
depends_on = ["d"]
when = "(${d} == 1"
)",
                            "e.toml");
  REQUIRE(has_problem(read.problems, definition_errc::invalid_value, "agents.x.when: column 11"));
  const auto problems = reference_problems(read.as_read, *c);
  INFO(listing(problems));
  CHECK(has_problem(problems, definition_errc::unknown_profile, "unknown profile 'fast-lcal'"));
  CHECK(problems.size() == 1);
}

TEST_CASE("a script's program that does not exist, cannot be run or is not on PATH is an error "
          "at load, naming where it was looked for") {
  tutti::test::temp_dir folder;
  folder.write("tools/plain.sh", "echo hi\n"); // not executable
  const auto file = folder.write("e.toml", R"(
name = "e"
[[agents]]
name = "ok"
script = ["sh", "tools/plain.sh"]
[[agents]]
name = "missing"
script = ["tools/none.sh"]
[[agents]]
name = "plain"
script = ["tools/plain.sh"]
[[agents]]
name = "unknown"
script = ["no-such-program-anywhere"]
)");
  auto c = parse_config("", "", fixed_environment({}));
  REQUIRE(c.has_value());
  auto e = load_ensemble(file);
  REQUIRE(e.has_value());
  auto r = resolve(*e, *c);
  REQUIRE_FALSE(r.has_value());
  const auto& problems = r.problems();
  INFO(listing(problems));
  const auto tools = (folder.path() / "tools").string();
  CHECK(has_problem(problems, definition_errc::invalid_value,
                    "e.toml:8:1: agents.missing.script: cannot run it: " + tools +
                        "/none.sh does not exist"));
  CHECK(has_problem(problems, definition_errc::invalid_value,
                    "agents.plain.script: cannot run it: " + tools +
                        "/plain.sh is not an executable file (chmod +x it, or name its "
                        "interpreter first, as [\"python3\", \"tools/plain.sh\"])"));
  CHECK(has_problem(problems, definition_errc::invalid_value,
                    "agents.unknown.script: cannot run it: cannot find "
                    "'no-such-program-anywhere' on PATH"));
  CHECK(problems.size() == 3);
}
