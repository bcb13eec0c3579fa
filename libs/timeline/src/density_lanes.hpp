// Large runs: one lane per group showing how many of its agents ran and waited over time,
// and the critical path said in words.
#pragma once

#include "run_shape.hpp"

#include <ostream>
#include <vector>

namespace tutti::timeline {

/// The density lane of group `g` at height `y`: agents running and queued over time.
void write_density_lane(std::ostream& os, const engine::run_result& run, const group_lane& g,
                        const time_scale& scale, double y);

/// The critical path as text at height `y`, its first few names and how many more.
void write_critical_text(std::ostream& os, const engine::run_result& run,
                         const std::vector<std::size_t>& path, double y);

} // namespace tutti::timeline
