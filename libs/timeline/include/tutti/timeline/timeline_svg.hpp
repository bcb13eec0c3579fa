// A run's timeline as a standalone SVG document: who queued, ran, retried and when, by group.
#pragma once

#include <tutti/engine/run_result.hpp>

#include <string>

namespace tutti::timeline {

/// One UTF-8 SVG document picturing `run`: a lane per agent under its group's heading, or one
/// density lane per group when there are too many agents to read one by one; phase
/// boundaries, the critical path and a legend. Pure: the same run gives the same document.
std::string timeline_svg(const engine::run_result& run);

} // namespace tutti::timeline
