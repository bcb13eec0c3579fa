#include "run_shape.hpp"

namespace tutti::timeline {
namespace {

using engine::agent_result;
using engine::run_result;
using engine::time_span;

// Only an agent that ran can have held the run up: a skipped one "finishes" when its
// dependency does.
std::optional<double> ran_until(const agent_result& a) {
  return finite(a.started_ms) ? finite(a.finished_ms) : std::nullopt;
}

} // namespace

std::optional<double> finite(const std::optional<double>& t) {
  return t && std::isfinite(*t) ? t : std::nullopt;
}

// The stretch the axis covers: the run, or longer when an agent's times say so (a run read
// back while it runs has no elapsed time yet). At least a millisecond, so that nothing divides
// by zero and one decimal tells every tick apart.
double span_of(const run_result& run) {
  double span = std::isfinite(run.elapsed_ms) ? run.elapsed_ms : 0;
  for (const auto& a : run.agents) {
    span = std::max({span, finite(a.started_ms).value_or(0), finite(a.finished_ms).value_or(0)});
    for (const auto& wait : a.retry_waits) {
      span = std::isfinite(wait.end_ms) ? std::max(span, wait.end_ms) : span;
    }
  }
  return std::max(span, 1.0);
}

agent_stretches stretches_of(const agent_result& a, double span_ms) {
  agent_stretches s;
  const auto started = finite(a.started_ms);
  const auto finished = finite(a.finished_ms);
  // The wait ends when the agent started; one that never did waited until it was given up,
  // at its finish or, when the run stopped early, at the run's end.
  const double waited_until = started.value_or(finished.value_or(span_ms));
  if (const auto queued = finite(a.queued_ms)) {
    s.queued = time_span{std::max(waited_until - std::max(*queued, 0.0), 0.0), waited_until};
  }
  if (started) {
    s.running = time_span{*started, std::max(finished.value_or(span_ms), *started)};
  }
  return s;
}

// 1, 2 or 5 times a power of ten, for at most about eight ticks.
double tick_step(double span_ms) {
  const double raw = span_ms / 8;
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  for (const double m : {1.0, 2.0, 5.0}) {
    if (m * power >= raw) {
      return m * power;
    }
  }
  return 10 * power;
}

name_index index_by_name(const run_result& run) {
  name_index index;
  index.reserve(run.agents.size());
  for (std::size_t i = 0; i < run.agents.size(); ++i) {
    index.emplace(run.agents[i].name, i);
  }
  return index;
}

// The chain that decided when the run ended: from the agent that finished last, back through
// the dependency that finished last at each step. First agent first.
std::vector<std::size_t> critical_path(const run_result& run, const name_index& index) {
  std::optional<std::size_t> current;
  for (std::size_t i = 0; i < run.agents.size(); ++i) {
    const auto until = ran_until(run.agents[i]);
    if (until && (!current || *until > *ran_until(run.agents[*current]))) {
      current = i;
    }
  }
  // In a phased run an agent waited for every agent of the phase before its own too, not only
  // for its dependencies: any of those may be what held it up.
  std::vector<std::vector<std::size_t>> by_phase;
  if (run.scheduling == definition::scheduling_policy::phased) {
    for (std::size_t i = 0; i < run.agents.size(); ++i) {
      by_phase.resize(std::max(by_phase.size(), run.agents[i].phase + 1));
      by_phase[run.agents[i].phase].push_back(i);
    }
  }
  std::vector<std::size_t> path;
  std::vector<bool> is_on_path(run.agents.size());
  // A malformed run read back from a store may hold a cycle: never visit an agent twice.
  while (current && !is_on_path[*current]) {
    path.push_back(*current);
    is_on_path[*current] = true;
    std::optional<std::size_t> next;
    auto consider = [&](std::size_t candidate) {
      const auto until = ran_until(run.agents[candidate]);
      if (until && (!next || *until > *ran_until(run.agents[*next]))) {
        next = candidate;
      }
    };
    for (const auto& dependency : run.agents[*current].depends_on) {
      if (const auto found = index.find(dependency); found != index.end()) {
        consider(found->second);
      }
    }
    if (const auto phase = run.agents[*current].phase; phase > 0 && phase <= by_phase.size()) {
      for (auto candidate : by_phase[phase - 1]) {
        consider(candidate);
      }
    }
    current = next;
  }
  std::reverse(path.begin(), path.end());
  return path;
}

// In order of first appearance, so that the picture follows the definition.
std::vector<group_lane> groups_in_order(const run_result& run) {
  std::vector<group_lane> groups;
  std::unordered_map<std::string_view, std::size_t> position;
  for (std::size_t i = 0; i < run.agents.size(); ++i) {
    const auto [at, is_new] = position.emplace(run.agents[i].group, groups.size());
    if (is_new) {
      groups.push_back({run.agents[i].group, {}});
    }
    groups[at->second].agents.push_back(i);
  }
  return groups;
}

void gather_tail(std::vector<group_lane>& groups) {
  if (groups.size() <= max_density_lanes) {
    return;
  }
  auto& rest = groups[max_density_lanes - 1];
  rest.merged_groups = groups.size() - (max_density_lanes - 1);
  for (std::size_t g = max_density_lanes; g < groups.size(); ++g) {
    rest.agents.insert(rest.agents.end(), groups[g].agents.begin(), groups[g].agents.end());
  }
  groups.resize(max_density_lanes);
}

std::string group_title(const group_lane& g) {
  if (g.merged_groups > 0) {
    return std::to_string(g.merged_groups) + " more groups";
  }
  return g.name.empty() ? "(no group)" : std::string(g.name);
}

// Each phase after the first begins when the first of its agents started.
std::vector<phase_start> phase_starts(const run_result& run, const name_index& index) {
  std::vector<phase_start> starts;
  for (std::size_t p = 1; p < run.phases.size(); ++p) {
    std::optional<double> earliest;
    for (const auto& name : run.phases[p]) {
      const auto found = index.find(name);
      const auto started =
          found == index.end() ? std::nullopt : finite(run.agents[found->second].started_ms);
      if (started && (!earliest || *started < *earliest)) {
        earliest = started;
      }
    }
    if (earliest) {
      starts.push_back({p, *earliest});
    }
  }
  return starts;
}

} // namespace tutti::timeline
