#include "density_lanes.hpp"
#include "run_shape.hpp"
#include "svg_text.hpp"

#include <tutti/timeline/timeline_svg.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <iomanip>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace tutti::timeline {
namespace {

using engine::agent_result;
using engine::agent_status;
using engine::run_result;
using engine::time_span;

// ---- Agent lanes ---------------------------------------------------------------------------

std::string_view status_colour(agent_status s) {
  switch (s) {
  case agent_status::success:
    return "#4caf50";
  case agent_status::failed:
    return "#e53935";
  case agent_status::timeout:
    return "#fb8c00";
  case agent_status::partial:
    return "#c0ca33";
  case agent_status::skipped:
  case agent_status::pending:
    break;
  }
  return "#9e9e9e";
}

std::string tooltip(const agent_result& a) {
  auto text = a.name + " (" + std::string(engine::to_string(a.status)) + ")";
  const auto started = finite(a.started_ms);
  const auto finished = finite(a.finished_ms);
  if (const auto queued = finite(a.queued_ms)) {
    text += ", queued " + duration_text(*queued);
  }
  if (started) {
    text += ", started at " + duration_text(*started);
  }
  if (finished) {
    text += ", finished at " + duration_text(*finished);
  }
  if (started && finished) {
    text += ", ran " + duration_text(*finished - *started);
  }
  if (a.attempts > 1) {
    text += ", " + std::to_string(a.attempts) + " attempts";
  }
  return a.group.empty() ? text : text + ", group " + a.group;
}

void write_bar(std::ostream& os, std::string_view cls, const time_span& s, const time_scale& scale,
               double y, std::string_view fill, std::string_view outline,
               const std::string& title) {
  const double x0 = scale.x(s.start_ms);
  // A bar too short to see is still worth a sliver: it says the agent did run.
  const double width = std::max(scale.x(s.end_ms) - x0, 1.5);
  os << "<rect class=\"" << cls << "\" x=\"" << num{x0} << "\" y=\"" << num{y} << "\" width=\""
     << num{width} << "\" height=\"" << num{bar_height} << "\" fill=\"" << fill << "\"" << outline
     << "><title>" << xml{title} << "</title></rect>\n";
}

void write_agent_lane(std::ostream& os, const agent_result& a, const time_scale& scale, double y,
                      bool is_critical) {
  const double bar_y = y + (lane_height - bar_height) / 2;
  const auto title = tooltip(a);
  os << "<g class=\"lane\" data-agent=\"" << xml{a.name} << "\">\n";
  os << "<text x=\"" << num{chart_left - 8} << "\" y=\"" << num{y + 13} << "\" text-anchor=\"end\""
     << (is_critical ? " fill=\"#6a1b9a\" font-weight=\"bold\"" : "") << ">"
     << xml{a.name, label_chars} << "</text>\n";
  const auto s = stretches_of(a, scale.span_ms);
  if (s.queued) {
    write_bar(os, "queued", *s.queued, scale, bar_y, queued_colour, "", title);
  }
  if (s.running) {
    const auto outline = is_critical ? " stroke=\"#6a1b9a\" stroke-width=\"2.5\"" : "";
    write_bar(os, is_critical ? "run critical" : "run", *s.running, scale, bar_y,
              status_colour(a.status), outline, title);
  } else {
    // Never started: a marker where it was given up, so the lane is not silently empty.
    const double at = finite(a.finished_ms).value_or(s.queued ? s.queued->end_ms : 0);
    os << "<g class=\"not-started\"><rect x=\"" << num{scale.x(at)} << "\" y=\"" << num{bar_y}
       << "\" width=\"4\" height=\"" << num{bar_height} << "\" fill=\"#9e9e9e\"/><text x=\""
       << num{scale.x(at) + 7} << "\" y=\"" << num{y + 13} << "\" fill=\"#757575\">"
       << engine::to_string(a.status) << "</text><title>" << xml{title} << "</title></g>\n";
  }
  for (const auto& wait : a.retry_waits) {
    write_bar(os, "retry", wait, scale, bar_y, "url(#retry-hatch)", " stroke=\"#b28704\"",
              a.name + ": waiting to retry from " + duration_text(wait.start_ms) + " to " +
                  duration_text(wait.end_ms));
  }
  os << "</g>\n";
}

void write_agent_lanes(std::ostream& os, const run_result& run,
                       const std::vector<group_lane>& groups, const std::vector<std::size_t>& path,
                       const time_scale& scale) {
  std::vector<bool> is_critical(run.agents.size());
  for (const auto i : path) {
    is_critical[i] = true;
  }
  double y = chart_top;
  for (const auto& g : groups) {
    os << "<text class=\"group\" x=\"8\" y=\"" << num{y + 15} << "\" font-weight=\"bold\">"
       << xml{group_title(g), 2 * label_chars} << "</text>\n";
    y += heading_height;
    for (const auto i : g.agents) {
      write_agent_lane(os, run.agents[i], scale, y, is_critical[i]);
      y += lane_height;
    }
  }
}

// ---- Frame: title, axis, phases, legend ----------------------------------------------------

void write_start(std::ostream& os, double height) {
  os << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
     << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << num{doc_width} << "\" height=\""
     << num{height} << "\" viewBox=\"0 0 " << num{doc_width} << ' ' << num{height}
     << "\" font-family=\"sans-serif\" font-size=\"11\">\n"
     << "<defs><pattern id=\"retry-hatch\" patternUnits=\"userSpaceOnUse\" width=\"6\" "
        "height=\"6\" patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\""
     << retry_colour << "\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#b28704\" "
     << "stroke-width=\"2\"/></pattern></defs>\n"
     << "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n";
}

void write_title(std::ostream& os, const run_result& run) {
  const auto elapsed = std::isfinite(run.elapsed_ms) ? std::max(run.elapsed_ms, 0.0) : 0.0;
  os << "<text class=\"title\" x=\"8\" y=\"22\" font-size=\"15\" font-weight=\"bold\">"
     << xml{run.ensemble.empty() ? std::string_view("(unnamed ensemble)") : run.ensemble}
     << " · run " << xml{run.id.empty() ? std::string_view("(no id)") : run.id} << " · "
     << engine::to_string(run.status) << " · " << decimal(elapsed / 1000) << " s · "
     << run.agents.size() << (run.agents.size() == 1 ? " agent" : " agents") << "</text>\n";
}

void write_axis(std::ostream& os, const time_scale& scale, double chart_bottom) {
  const double step = tick_step(scale.span_ms);
  const bool is_in_seconds = scale.span_ms >= 2000;
  const double axis_y = chart_top - 6;
  os << "<g class=\"axis\"><line x1=\"" << num{chart_left} << "\" x2=\"" << num{chart_right}
     << "\" y1=\"" << num{axis_y} << "\" y2=\"" << num{axis_y} << "\" stroke=\"#666\"/>\n";
  // tick_step keeps this to about eight ticks; the bound is for rounding at the end.
  for (std::size_t k = 0; k <= 20 && static_cast<double>(k) * step <= scale.span_ms * 1.000001;
       ++k) {
    const double t = static_cast<double>(k) * step;
    const double x = scale.x(t);
    os << "<line x1=\"" << num{x} << "\" x2=\"" << num{x} << "\" y1=\"" << num{axis_y - 4}
       << "\" y2=\"" << num{chart_bottom} << "\" stroke=\"" << grid_colour << "\"/><text x=\""
       << num{x} << "\" y=\"" << num{axis_y - 7} << "\" text-anchor=\"middle\" fill=\"#444\">"
       << (is_in_seconds ? decimal(t / 1000) + " s" : decimal(t) + " ms") << "</text>\n";
  }
  os << "</g>\n";
}

void write_phase_boundaries(std::ostream& os, const std::vector<phase_start>& starts,
                            const time_scale& scale, double chart_bottom) {
  if (starts.size() > max_phase_lines) {
    os << "<text class=\"phase-note\" x=\"" << num{chart_right} << "\" y=\"40\" "
       << "text-anchor=\"end\" fill=\"#666\">" << starts.size() + 1
       << " phases: boundaries not drawn</text>\n";
    return;
  }
  for (const auto& p : starts) {
    const double x = scale.x(p.at_ms);
    // Near the right edge the label goes left of its line, so that it is not cut off.
    const bool is_near_edge = x > chart_right - 60;
    os << "<line class=\"phase-boundary\" data-phase=\"" << p.number << "\" x1=\"" << num{x}
       << "\" x2=\"" << num{x} << "\" y1=\"" << num{chart_top - 6} << "\" y2=\""
       << num{chart_bottom} << "\" stroke=\"#555\" stroke-dasharray=\"4 3\"/><text x=\""
       << num{is_near_edge ? x - 3 : x + 3} << "\" y=\"" << num{chart_top + 9}
       << "\" font-size=\"9\" fill=\"#555\"" << (is_near_edge ? " text-anchor=\"end\"" : "")
       << ">phase " << p.number << "</text>\n";
  }
}

void write_swatch(std::ostream& os, double x, double y, std::string_view fill,
                  std::string_view outline, std::string_view label) {
  os << "<rect class=\"legend-swatch\" x=\"" << num{x} << "\" y=\"" << num{y - 10}
     << "\" width=\"14\" height=\"10\" fill=\"" << fill << "\"" << outline << "/><text x=\""
     << num{x + 19} << "\" y=\"" << num{y} << "\">" << label << "</text>\n";
}

void write_legend(std::ostream& os, bool is_dense, double chart_bottom) {
  const double y = chart_bottom + 24;
  os << "<g class=\"legend\">\n";
  if (is_dense) {
    write_swatch(os, 8, y, "#4caf50", "", "agents running");
    write_swatch(os, 138, y, queued_colour, " stroke=\"#6fa8dc\"", "agents queued for a slot");
    os << "<text x=\"8\" y=\"" << num{y + 20} << "\" fill=\"#444\">Each group's lane shows the "
       << "most agents running and queued at any moment; the number at its left is its top. "
       << "Critical path: the dependency chain that ended last.</text>\n";
  } else {
    const std::string_view critical = " stroke=\"#6a1b9a\" stroke-width=\"2.5\"";
    write_swatch(os, 8, y, queued_colour, "", "queued");
    write_swatch(os, 98, y, status_colour(agent_status::success), "", "success");
    write_swatch(os, 188, y, status_colour(agent_status::failed), "", "failed");
    write_swatch(os, 278, y, status_colour(agent_status::timeout), "", "timeout");
    write_swatch(os, 368, y, status_colour(agent_status::skipped), "", "skipped or pending");
    write_swatch(os, 508, y, "url(#retry-hatch)", "", "waiting to retry");
    write_swatch(os, 638, y, "#ffffff", critical, "critical path");
    os << "<text x=\"8\" y=\"" << num{y + 20} << "\" fill=\"#444\">Critical path: from the "
       << "agent that finished last, back through the dependency that finished last at each "
       << "step. Dashed lines: where a phase began.</text>\n";
  }
  os << "</g>\n";
}

double chart_bottom_of(const run_result& run, std::size_t groups, bool is_dense) {
  if (run.agents.empty()) {
    return chart_top + heading_height;
  }
  if (is_dense) {
    return chart_top +
           static_cast<double>(groups) * (heading_height + density_height + density_gap) +
           critical_text_height;
  }
  return chart_top + static_cast<double>(groups) * heading_height +
         static_cast<double>(run.agents.size()) * lane_height;
}

} // namespace

std::string timeline_svg(const engine::run_result& run) {
  const time_scale scale{span_of(run)};
  const auto index = index_by_name(run);
  const auto path = critical_path(run, index);
  const bool is_dense = run.agents.size() > max_agent_lanes;
  auto groups = groups_in_order(run);
  if (is_dense) {
    gather_tail(groups);
  }
  const double chart_bottom = chart_bottom_of(run, groups.size(), is_dense);

  std::ostringstream os;
  os << std::fixed << std::setprecision(1);
  write_start(os, chart_bottom + legend_height);
  write_title(os, run);
  write_axis(os, scale, chart_bottom);
  if (run.agents.empty()) {
    os << "<text x=\"8\" y=\"" << num{chart_top + 15} << "\" fill=\"#666\">No agents</text>\n";
  } else if (is_dense) {
    double y = chart_top;
    for (const auto& g : groups) {
      write_density_lane(os, run, g, scale, y);
      y += heading_height + density_height + density_gap;
    }
    write_critical_text(os, run, path, y);
  } else {
    write_agent_lanes(os, run, groups, path, scale);
  }
  // After the lanes, so that the bars do not hide them.
  write_phase_boundaries(os, phase_starts(run, index), scale, chart_bottom);
  write_legend(os, is_dense, chart_bottom);
  os << "</svg>\n";
  return std::move(os).str();
}

} // namespace tutti::timeline
