// The JSON form of a run result, as `tutti run --json` prints it.
#pragma once

#include <tutti/engine/run_result.hpp>

#include <string>

namespace tutti::engine {

/// One JSON document; keys are stable, agents keep definition order.
std::string to_json(const run_result& r, int indent = 2);

} // namespace tutti::engine
