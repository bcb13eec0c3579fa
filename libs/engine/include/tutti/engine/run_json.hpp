// The JSON form of a run result, as `tutti run --json` prints it.
#pragma once

#include <tutti/engine/run_result.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace tutti::engine {

/// One JSON document; keys are stable, agents keep definition order.
std::string to_json(const run_result& r, int indent = 2);

/// The result that to_json printed, read back; nullopt when `text` is not such a document.
/// What was stored is printed again exactly: to_json(*from_json(to_json(r))) == to_json(r).
std::optional<run_result> run_result_from_json(std::string_view text);

} // namespace tutti::engine
