// Run ids: unique without a registry, sortable by start time, short enough to type.
#pragma once

#include <chrono>
#include <string>

namespace tutti::engine {

/// "20261126-215506-3fa9c2": the UTC start time to the second, then 24 random bits.
std::string
new_run_id(std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

} // namespace tutti::engine
