// The timeline's geometry, colours and limits, shared by the parts that draw it.
#pragma once

#include <cstddef>
#include <string_view>

namespace tutti::timeline {

// Above this many agents, lanes of one agent each stop being readable (and the document
// grows with the run): each group gets one density lane instead.
inline constexpr std::size_t max_agent_lanes = 60;
// Density lanes past this many would be unreadable too: the last lane gathers the rest.
inline constexpr std::size_t max_density_lanes = 24;
// Enough to see the shape of a run at this width, few enough to keep the document small.
inline constexpr std::size_t density_buckets = 200;
// More dashed lines than this would hide the bars behind them.
inline constexpr std::size_t max_phase_lines = 40;
inline constexpr std::size_t critical_names_shown = 6;
inline constexpr std::size_t label_chars = 32;

// Geometry, in SVG user units.
inline constexpr double doc_width = 1000;
inline constexpr double chart_left = 240;
inline constexpr double chart_right = 980;
inline constexpr double chart_top = 64;
inline constexpr double heading_height = 22;
inline constexpr double lane_height = 18;
inline constexpr double bar_height = 12;
inline constexpr double density_height = 48;
inline constexpr double density_gap = 8;
inline constexpr double critical_text_height = 24;
inline constexpr double legend_height = 60;

inline constexpr std::string_view queued_colour = "#cfe2f3";
inline constexpr std::string_view retry_colour = "#ffc107";
inline constexpr std::string_view critical_colour = "#6a1b9a";
inline constexpr std::string_view grid_colour = "#e6e6e6";

} // namespace tutti::timeline
