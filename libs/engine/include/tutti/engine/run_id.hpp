// Run ids: unique without a registry, sortable by start time, short enough to type.
#pragma once

#include <chrono>
#include <string>

namespace tutti::engine {

/// "20261126-215506-3fa9c2": the UTC start time to the second, then 24 random bits.
std::string
new_run_id(std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

/// "2026-11-27T07:01:02.123Z": a moment in UTC, to the millisecond, as run JSON writes it.
std::string utc_text(std::chrono::system_clock::time_point t);

} // namespace tutti::engine
