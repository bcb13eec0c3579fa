#include "support/ensemble_text.hpp"

#include <tutti/store/fingerprint.hpp>
#include <tutti/store/resume_plan.hpp>

#include <catch2/catch.hpp>

using namespace tutti::store;
using tutti::engine::agent_status;
using tutti::test::ensemble_from;

namespace {

// research -> (summary, critique) -> report
std::string pipeline(const std::string& summary_prompt = "Summarise {input}") {
  return R"(
name = "p"
[[agents]]
name = "research"
provider = "mock"
[[agents]]
name = "summary"
provider = "mock"
prompt = ")" +
         summary_prompt + R"("
depends_on = ["research"]
[[agents]]
name = "critique"
provider = "mock"
depends_on = ["research"]
[[agents]]
name = "report"
provider = "mock"
depends_on = ["summary", "critique"]
)";
}

// A stored run of `text` where the named agents succeeded and the rest failed.
stored_run stored(const std::string& text, const std::vector<std::string>& succeeded) {
  const auto e = ensemble_from(text);
  stored_run run;
  run.result.id = "earlier";
  for (const auto& agent : e.agents) {
    tutti::engine::agent_result a;
    a.name = agent.name;
    const bool ok = std::count(succeeded.begin(), succeeded.end(), agent.name) > 0;
    a.status = ok ? agent_status::success : agent_status::failed;
    a.response = ok ? "out of " + agent.name : "";
    run.result.agents.push_back(a);
    run.origin.agent_hashes.push_back(agent_fingerprint(agent));
  }
  run.origin.definition_hash = ensemble_fingerprint(e);
  return run;
}

std::vector<std::string> names(const resume_plan& p) {
  std::vector<std::string> out;
  for (const auto& [name, result] : p.reuse) {
    out.push_back(name);
  }
  return out;
}

} // namespace

TEST_CASE("an unchanged ensemble reuses every agent that succeeded and whose inputs did") {
  auto plan = plan_resume(stored(pipeline(), {"research", "summary"}), ensemble_from(pipeline()));
  CHECK(plan.is_unchanged());
  CHECK(names(plan) == std::vector<std::string>{"research", "summary"});
  CHECK(plan.reuse.at("summary").response == "out of summary");
}

TEST_CASE("a changed agent runs again, and so does everything that depends on it") {
  auto plan = plan_resume(stored(pipeline(), {"research", "summary", "critique"}),
                          ensemble_from(pipeline("Shorten {input}")));
  CHECK(plan.changed == std::vector<std::string>{"summary"});
  CHECK(names(plan) == std::vector<std::string>{"critique", "research"});
}

TEST_CASE("an agent whose dependency runs again runs again, though it succeeded") {
  auto plan =
      plan_resume(stored(pipeline(), {"summary", "critique", "report"}), ensemble_from(pipeline()));
  CHECK(plan.is_unchanged());
  CHECK(plan.reuse.empty()); // research failed: everything downstream sees a new output
}

TEST_CASE("added and removed agents count as changes") {
  auto text = pipeline();
  auto plan =
      plan_resume(stored(text, {"research"}),
                  ensemble_from(text + "[[agents]]\nname = \"extra\"\nprovider = \"mock\"\n"));
  CHECK(plan.changed == std::vector<std::string>{"extra"});
  CHECK(names(plan) == std::vector<std::string>{"research"});
  auto smaller = plan_resume(
      stored(text + "[[agents]]\nname = \"gone\"\nprovider = \"mock\"\n", {"research", "gone"}),
      ensemble_from(text));
  CHECK(smaller.changed == std::vector<std::string>{"gone"});
}
