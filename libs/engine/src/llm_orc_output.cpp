#include "llm_orc_output.hpp"

#include <algorithm>
#include <set>

namespace tutti::engine {
namespace {

bool delivers(const agent_result& a) {
  return a.status == agent_status::success && !a.response.empty();
}

// An agent's status as llm-orc names it: success, failed or skipped.
std::string_view llm_orc_status(agent_status s) {
  switch (s) {
  case agent_status::success:
    return "success";
  case agent_status::skipped:
  case agent_status::pending:
    return "skipped";
  default:
    return "failed";
  }
}

} // namespace

std::optional<std::string> llm_orc_deliverable(const run_result& r) {
  std::set<std::string> depended_on;
  for (const auto& a : r.agents) {
    depended_on.insert(a.depends_on.begin(), a.depends_on.end());
  }
  for (auto a = r.agents.rbegin(); a != r.agents.rend(); ++a) {
    if (depended_on.count(a->name) == 0 && delivers(*a)) {
      return a->response;
    }
  }
  auto any = std::find_if(r.agents.rbegin(), r.agents.rend(), delivers);
  return any == r.agents.rend() ? std::nullopt : std::optional{any->response};
}

nlohmann::json llm_orc_ensemble_result(const run_result& r, const std::string& input) {
  auto results = nlohmann::json::object();
  bool all_succeeded = true;
  for (const auto& a : r.agents) {
    all_succeeded = all_succeeded && a.status == agent_status::success;
    results[a.name] = {{"response", a.status == agent_status::success ? nlohmann::json(a.response)
                                                                      : nlohmann::json(nullptr)},
                       {"status", llm_orc_status(a.status)}};
  }
  nlohmann::json j = {{"ensemble", r.ensemble},
                      {"status", all_succeeded ? "completed" : "completed_with_errors"},
                      {"input", {{"data", input}}},
                      {"results", std::move(results)}};
  if (auto deliverable = llm_orc_deliverable(r)) {
    j["deliverable"] = *deliverable;
  }
  return j;
}

nlohmann::json llm_orc_body_output(const std::optional<std::string>& deliverable) {
  if (!deliverable) {
    return nlohmann::json::object();
  }
  auto value = nlohmann::json::parse(*deliverable, nullptr, false);
  if (value.is_discarded()) {
    return {{"value", *deliverable}};
  }
  return value.is_object() ? value : nlohmann::json{{"value", std::move(value)}};
}

} // namespace tutti::engine
