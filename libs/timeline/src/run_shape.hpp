// The shape of a run as the timeline draws it: its time axis, each agent's stretches, its
// groups in order, where phases began, and the critical path. Plain functions of the run.
#pragma once

#include "layout.hpp"

#include <tutti/engine/run_result.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace tutti::timeline {

/// `t` when it is a finite number; a time that is not says nothing.
std::optional<double> finite(const std::optional<double>& t);

/// The stretch the axis covers, in milliseconds: the run, or longer when an agent's times say
/// so; at least 1.
double span_of(const engine::run_result& run);

struct time_scale {
  double span_ms;

  double clamped(double t) const { return std::isfinite(t) ? std::clamp(t, 0.0, span_ms) : 0; }
  double x(double t) const {
    return chart_left + clamped(t) / span_ms * (chart_right - chart_left);
  }
};

// What an agent did, as stretches of the run; clamped to the axis by whoever draws them.
struct agent_stretches {
  std::optional<engine::time_span> queued;
  std::optional<engine::time_span> running;
};

agent_stretches stretches_of(const engine::agent_result& a, double span_ms);

/// 1, 2 or 5 times a power of ten, for at most about eight ticks.
double tick_step(double span_ms);

using name_index = std::unordered_map<std::string_view, std::size_t>;
name_index index_by_name(const engine::run_result& run);

/// The chain that decided when the run ended: from the agent that finished last, back through
/// the dependency that finished last at each step. First agent first.
std::vector<std::size_t> critical_path(const engine::run_result& run, const name_index& index);

struct group_lane {
  std::string_view name;
  std::vector<std::size_t> agents;
  std::size_t merged_groups = 0; // when this lane gathers the groups past the last one shown
};

/// The groups in order of first appearance, so that the picture follows the definition.
std::vector<group_lane> groups_in_order(const engine::run_result& run);
/// Past max_density_lanes groups, the last lane gathers the rest.
void gather_tail(std::vector<group_lane>& groups);
std::string group_title(const group_lane& g);

struct phase_start {
  std::size_t number; // from 0, as the run JSON and tutti plan number phases
  double at_ms;
};

/// Each phase after the first begins when the first of its agents started.
std::vector<phase_start> phase_starts(const engine::run_result& run, const name_index& index);

} // namespace tutti::timeline
