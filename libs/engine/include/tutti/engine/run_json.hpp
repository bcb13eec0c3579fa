// The JSON form of a run result, as `tutti run --json` prints it.
#pragma once

#include <tutti/engine/run_event.hpp>
#include <tutti/engine/run_result.hpp>
#include <tutti/resources/group_statistics.hpp>

#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

namespace tutti::engine {

/// The version of the run JSON's form (docs/run-json.md); a change that takes a key away or
/// changes its meaning makes a new version, adding one does not.
inline constexpr int run_json_schema_version = 1;

/// One JSON document; keys are stable, agents keep definition order. `indent` as nlohmann's
/// dump: -1 for one line.
std::string to_json(const run_result& r, int indent = 2);
/// The same document written to `out` as it is made, one agent at a time: a run of 100,000
/// agents is never held as one JSON tree.
void write_json(std::ostream& out, const run_result& r, int indent = 2);

/// The result that to_json printed, read back; nullopt when `text` is not such a document.
/// What was stored is printed again exactly: to_json(*from_json(to_json(r))) == to_json(r).
std::optional<run_result> run_result_from_json(std::string_view text);

/// What an agent has beyond the fields every agent has (a fan-out's instances, the models an
/// agent with fallbacks tried), as the run JSON gives it, on one line; nullopt for an agent
/// with none. And read back into `a`; false, with `a` unchanged, when `text` is no such thing.
std::optional<std::string> details_json(const agent_result& a);
bool read_details_json(std::string_view text, agent_result& a);

/// One event on one line: {"kind", "agent", "at_ms"} and the fields of its kind.
std::string to_json(const run_event& e);
/// The event that to_json(run_event) printed; nullopt for any other text.
std::optional<run_event> run_event_from_json(std::string_view text);

/// Resource groups as the run JSON lists them, an array on one line.
std::string to_json(const std::vector<resources::group_statistics>& groups);

std::string_view to_string(run_event_kind k);
std::optional<run_event_kind> run_event_kind_named(std::string_view name);

} // namespace tutti::engine
