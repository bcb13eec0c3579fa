// llm-orc's view of a nested run, for agents read from llm-orc's files (nested_output =
// "llm-orc"): the deliverable it picks from a run, and the JSON its dependants read.
#pragma once

#include <tutti/engine/run_result.hpp>

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace tutti::engine {

/// llm-orc's deliverable of a run: of the agents no other depends on, from the last defined,
/// the first that succeeded with a non-empty response; else, from the last, any agent that
/// did; nullopt when none did.
std::optional<std::string> llm_orc_deliverable(const run_result& r);

/// What llm-orc's ensemble agent answers: {"ensemble", "status" ("completed", or
/// "completed_with_errors" when an agent did not succeed), "input": {"data"}, "results": {NAME:
/// {"response", "status"}}, "deliverable" (when there is one)}.
nlohmann::json llm_orc_ensemble_result(const run_result& r, const std::string& input);

/// What llm-orc's loop reads of an iteration: the deliverable's JSON object, other JSON as
/// {"value": it}, text as {"value": text}, none as {}.
nlohmann::json llm_orc_body_output(const std::optional<std::string>& deliverable);

} // namespace tutti::engine
