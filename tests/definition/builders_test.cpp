#include "support/diagnostics_match.hpp"

#include <tutti/definition/config_builder.hpp>
#include <tutti/definition/ensemble_builder.hpp>

#include <catch2/catch.hpp>

using namespace tutti::definition;
using namespace std::chrono_literals;
using tutti::test::has_problem;
using tutti::test::listing;

TEST_CASE("an ensemble built in code resolves like one read from a file") {
  model_settings fast;
  fast.backend = "mock-local";
  fast.model = "qwen";
  fast.timeout = 20s;
  auto config = config_builder{}.max_concurrent_agents(4).profile("fast", fast).build();
  INFO(listing(config.problems()));
  REQUIRE(config.has_value());

  ensemble_builder review{"review"};
  review.description("two reviewers and a synthesis")
      .default_input("def add(a, b)")
      .priority(7)
      .timeout(60s);
  auto built = review.agent("security")
                   .profile("fast")
                   .system_prompt("You review security.")
                   .priority(9)
                   .agent("style")
                   .provider("mock")
                   .mock({std::chrono::milliseconds{5}, std::string{"ok"}, std::nullopt})
                   .agent("synthesis")
                   .provider("mock")
                   .depends_on({"security", "style"})
                   .prompt("{agents.security} {agents.style}")
                   .build(*config);
  INFO(listing(built.problems()));
  REQUIRE(built.has_value());
  CHECK(built->name == "review");
  CHECK(built->max_concurrent_agents == 4);
  CHECK(built->timeout == 60s);
  CHECK(built->phases == phase_plan{{0, 1}, {2}});
  CHECK(built->agents[0].backend.name == "mock-local");
  CHECK(built->agents[0].model == "qwen");
  CHECK(built->agents[0].timeout == 20s);
  CHECK(built->agents[0].priority == 9);
  CHECK(built->agents[1].priority == 7);
  CHECK(built->agents[1].mock.reply == "ok");
  CHECK(built->agents[2].dependency_indices == std::vector<std::size_t>{0, 1});
}

TEST_CASE("an ensemble built in code is checked like a file") {
  ensemble_builder bad{""};
  bad.priority(11);
  bad.agent("a b").provider("mock").temperature(3.0);
  bad.agent("c").provider("olama").backend("x").depends_on({"d"}).timeout(0ms);
  bad.agent("d").provider("mock").depends_on({"c"});
  auto e = bad.definition();
  REQUIRE_FALSE(e.has_value());
  const auto& p = e.problems();
  CHECK(has_problem(p, definition_errc::empty_field, "name: must not be empty"));
  CHECK(
      has_problem(p, definition_errc::out_of_range, "priority: must be between 1 and 10, got 11"));
  CHECK(has_problem(p, definition_errc::invalid_value, "agents.a b.name: 'a b' may contain only"));
  CHECK(has_problem(p, definition_errc::out_of_range,
                    "agents.a b.temperature: must be between 0 and 2"));
  CHECK(
      has_problem(p, definition_errc::conflicting_fields, "agents.c.backend: set either backend"));
  CHECK(has_problem(p, definition_errc::invalid_value, "agents.c.provider: 'olama' is not one of"));
  CHECK(has_problem(p, definition_errc::out_of_range, "agents.c.timeout: must be greater than 0"));
  CHECK(has_problem(p, definition_errc::dependency_cycle, "dependency cycle: c -> d -> c"));
}

TEST_CASE("a configuration built in code is checked like a file") {
  model_settings unknown;
  unknown.backend = "stuido";
  backend_spec studio;
  studio.name = "studio";
  studio.provider = provider_kind::lmstudio;
  studio.base_url = "http://localhost:1234";
  backend_spec wrong;
  wrong.name = "ollama";
  wrong.provider = provider_kind::openai;
  auto c = config_builder{}
               .max_concurrent_llm_calls(0)
               .backend(studio)
               .backend(wrong)
               .profile("p", unknown)
               .build();
  REQUIRE_FALSE(c.has_value());
  CHECK(has_problem(c.problems(), definition_errc::out_of_range,
                    "limits.max_concurrent_llm_calls: must be between 1 and 1000000, got 0"));
  CHECK(has_problem(c.problems(), definition_errc::unknown_backend,
                    "profiles.p.backend: unknown backend 'stuido' (did you mean 'studio'?)"));
  CHECK(has_problem(c.problems(), definition_errc::invalid_value,
                    "the backend name 'ollama' is reserved"));
}
