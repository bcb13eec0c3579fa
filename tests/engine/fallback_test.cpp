// Fallbacks in a whole run: an agent whose model fails goes on to the next profile within its
// deadline. Every assertion is about outputs, statuses and counts, never about time.
#include "support/diagnostics_match.hpp"
#include "support/ensemble_text.hpp"
#include "support/slots.hpp"

#include <tutti/definition/config_loader.hpp>
#include <tutti/definition/ensemble_parser.hpp>
#include <tutti/engine/engine.hpp>
#include <tutti/engine/run_json.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace tutti::engine;
using tutti::providers::call_errc;
using tutti::test::all_slots_returned;
using tutti::test::listing;

namespace {

const std::string profiles = R"(
[backends.dead]
provider = "ollama"
base_url = "http://127.0.0.1:1"
max_attempts = 1

[profiles.broken]
provider = "mock"
mock = { fail = "model exploded" }

[profiles.also-broken]
provider = "mock"
mock = { fail = "model melted" }

[profiles.spare]
provider = "mock"
mock = { reply = "spare answered" }

[profiles.slow]
provider = "mock"
mock = { latency_ms = 60000 }

[profiles.slowly-broken]
provider = "mock"
mock = { latency_ms = 50, fail = "gave up slowly" }

[profiles.local]
backend = "dead"
model = "llama3.2"
fallback = ["spare"]
)";

tutti::definition::config config_with_profiles() {
  auto c = tutti::definition::parse_config(profiles, "tutti.toml",
                                           tutti::definition::fixed_environment({}));
  INFO(listing(c.problems()));
  REQUIRE(c.has_value());
  return std::move(c).value();
}

tutti::definition::resolved_ensemble one_agent(const tutti::definition::config& c,
                                               const std::string& fields) {
  auto e = tutti::definition::parse_ensemble("name = \"e\"\n[[agents]]\nname = \"a\"\n" + fields,
                                             "e.toml");
  INFO(listing(e.problems()));
  REQUIRE(e.has_value());
  auto r = tutti::definition::resolve(*e, c);
  INFO(listing(r.problems()));
  REQUIRE(r.has_value());
  return std::move(r).value();
}

} // namespace

TEST_CASE("a failing model falls back to the next profile, and the result says which answered "
          "and what each tried came to") {
  const auto c = config_with_profiles();
  engine e{c};
  auto r =
      e.run(one_agent(c, "profile = \"broken\"\nfallback = [\"also-broken\", \"spare\"]\n"), "go");
  CHECK(r.status == run_status::completed);
  const auto& a = r.agents.at(0);
  CHECK(a.status == agent_status::success);
  CHECK(a.response == "spare answered");
  CHECK(a.profile == "spare");
  CHECK(a.attempts == 3);
  REQUIRE(a.profile_attempts.size() == 3);
  CHECK(a.profile_attempts[0].profile == "broken");
  CHECK(a.profile_attempts[0].status == agent_status::failed);
  CHECK(a.profile_attempts[0].error_code == call_errc::rejected);
  CHECK(a.profile_attempts[0].error == "model exploded");
  CHECK(a.profile_attempts[1].profile == "also-broken");
  CHECK(a.profile_attempts[1].error == "model melted");
  CHECK(a.profile_attempts[2].profile == "spare");
  CHECK(a.profile_attempts[2].status == agent_status::success);
  CHECK_FALSE(a.profile_attempts[2].error_code.has_value());
  CHECK(a.profile_attempts[2].attempts == 1);
  CHECK(e.mock_statistics().calls == 3);

  const auto document = nlohmann::json::parse(to_json(r));
  const auto& tried = document.at("agents").at("a").at("profile_attempts");
  REQUIRE(tried.size() == 3);
  CHECK(tried[1].at("profile") == "also-broken");
  CHECK(tried[1].at("error_code") == "rejected");
  auto back = run_result_from_json(to_json(r));
  REQUIRE(back.has_value());
  CHECK(nlohmann::json::parse(to_json(*back)).at("agents") == document.at("agents"));
}

TEST_CASE("when every profile fails, the agent fails saying what each said, the last first") {
  const auto c = config_with_profiles();
  engine e{c};
  auto r = e.run(one_agent(c, "profile = \"broken\"\nfallback = [\"also-broken\"]\n"), "go");
  const auto& a = r.agents.at(0);
  CHECK(a.status == agent_status::failed);
  CHECK(a.error == "model melted; before, profile broken: model exploded");
  CHECK(a.error_code == call_errc::rejected);
  CHECK(a.profile == "also-broken");
  REQUIRE(a.profile_attempts.size() == 2);
  CHECK(a.profile_attempts[1].status == agent_status::failed);
}

TEST_CASE("an unreachable server's agent falls back to another group, and both groups give "
          "their slots back") {
  const auto c = config_with_profiles();
  engine e{c};
  auto r = e.run(one_agent(c, "profile = \"local\"\n"), "go");
  const auto& a = r.agents.at(0);
  CHECK(a.status == agent_status::success);
  CHECK(a.profile == "spare");
  CHECK(a.group == "mock");
  REQUIRE(a.profile_attempts.size() == 2);
  CHECK(a.profile_attempts[0].profile == "local");
  CHECK(a.profile_attempts[0].provider == "ollama");
  CHECK(a.profile_attempts[0].model == "llama3.2");
  CHECK(a.profile_attempts[0].error_code == call_errc::unreachable);
  REQUIRE(r.resources.size() == 2);
  for (const auto& group : r.resources) {
    INFO(group.id);
    CHECK(group.active == 0);
  }
  CHECK(all_slots_returned(e));
}

TEST_CASE("an agent whose own time ran out does not fall back") {
  const auto c = config_with_profiles();
  engine e{c};
  auto r = e.run(
      one_agent(c, "profile = \"slow\"\nfallback = [\"spare\"]\ntimeout_seconds = 0.2\n"), "go");
  const auto& a = r.agents.at(0);
  CHECK(a.status == agent_status::timeout);
  CHECK(e.mock_statistics().calls == 1);
  CHECK(a.profile == "slow");
}

TEST_CASE("an agent whose time runs out on a fallback says what each model it tried came to") {
  const auto c = config_with_profiles();
  engine e{c};
  auto r = e.run(
      one_agent(c, "profile = \"slowly-broken\"\nfallback = [\"slow\"]\ntimeout_seconds = 0.5\n"),
      "go");
  const auto& a = r.agents.at(0);
  CHECK(a.status == agent_status::timeout);
  CHECK(a.profile == "slow");
  REQUIRE(a.profile_attempts.size() == 2);
  CHECK(a.profile_attempts[0].profile == "slowly-broken");
  CHECK(a.profile_attempts[0].error == "gave up slowly");
  CHECK(a.profile_attempts[1].profile == "slow");
  CHECK(a.profile_attempts[1].status == agent_status::timeout);
  CHECK_THAT(a.error, Catch::EndsWith("; before, profile slowly-broken: gave up slowly"));
  CHECK(e.mock_statistics().calls == 2);
}
