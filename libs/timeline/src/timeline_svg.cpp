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

// Above this many agents, lanes of one agent each stop being readable (and the document
// grows with the run): each group gets one density lane instead.
constexpr std::size_t max_agent_lanes = 60;
// Density lanes past this many would be unreadable too: the last lane gathers the rest.
constexpr std::size_t max_density_lanes = 24;
// Enough to see the shape of a run at this width, few enough to keep the document small.
constexpr std::size_t density_buckets = 200;
// More dashed lines than this would hide the bars behind them.
constexpr std::size_t max_phase_lines = 40;
constexpr std::size_t critical_names_shown = 6;
constexpr std::size_t label_chars = 32;

// Geometry, in SVG user units.
constexpr double doc_width = 1000;
constexpr double chart_left = 240;
constexpr double chart_right = 980;
constexpr double chart_top = 64;
constexpr double heading_height = 22;
constexpr double lane_height = 18;
constexpr double bar_height = 12;
constexpr double density_height = 48;
constexpr double density_gap = 8;
constexpr double critical_text_height = 24;
constexpr double legend_height = 60;

constexpr std::string_view queued_colour = "#cfe2f3";
constexpr std::string_view retry_colour = "#ffc107";
constexpr std::string_view critical_colour = "#6a1b9a";
constexpr std::string_view grid_colour = "#e6e6e6";

// ---- Text and numbers ----------------------------------------------------------------------

// A coordinate: NaN or infinity in an SVG attribute makes the whole document invalid.
struct num {
  double value;
};

std::ostream& operator<<(std::ostream& os, num n) {
  return os << (std::isfinite(n.value) && n.value != 0 ? n.value : 0.0);
}

// Text for XML content or a quoted attribute, clipped to `max_chars` characters (code points,
// so a clip never splits one). Control characters are not allowed in XML 1.0 at all.
struct xml {
  std::string_view text;
  std::size_t max_chars = std::string_view::npos;
};

std::ostream& operator<<(std::ostream& os, const xml& x) {
  std::size_t chars = 0;
  for (const char ch : x.text) {
    const auto c = static_cast<unsigned char>(ch);
    const bool starts_char = (c & 0xC0) != 0x80;
    if (starts_char && chars++ == x.max_chars) {
      return os << "…";
    }
    switch (c) {
    case '&':
      os << "&amp;";
      break;
    case '<':
      os << "&lt;";
      break;
    case '>':
      os << "&gt;";
      break;
    case '"':
      os << "&quot;";
      break;
    case '\'':
      os << "&apos;";
      break;
    default:
      os << (c < 0x20 ? ' ' : ch);
    }
  }
  return os;
}

// One decimal, without a trailing ".0": labels read "2 s", "0.5 s", "12.5 ms".
std::string decimal(double v) {
  std::ostringstream os;
  os << std::fixed << std::setprecision(1) << num{v};
  auto text = std::move(os).str();
  if (text.ends_with(".0")) {
    text.resize(text.size() - 2);
  }
  return text == "-0" ? "0" : text;
}

std::string duration_text(double ms) {
  return std::abs(ms) < 1000 ? decimal(ms) + " ms" : decimal(ms / 1000) + " s";
}

// ---- Times ---------------------------------------------------------------------------------

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

struct time_scale {
  double span_ms;

  double clamped(double t) const { return std::isfinite(t) ? std::clamp(t, 0.0, span_ms) : 0; }
  double x(double t) const {
    return chart_left + clamped(t) / span_ms * (chart_right - chart_left);
  }
};

// What an agent did, as stretches of the run; clamped to the axis by whoever draws them.
struct agent_stretches {
  std::optional<time_span> queued;
  std::optional<time_span> running;
};

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

// ---- The run's structure -------------------------------------------------------------------

using name_index = std::unordered_map<std::string_view, std::size_t>;

name_index index_by_name(const run_result& run) {
  name_index index;
  index.reserve(run.agents.size());
  for (std::size_t i = 0; i < run.agents.size(); ++i) {
    index.emplace(run.agents[i].name, i);
  }
  return index;
}

// Only an agent that ran can have held the run up: a skipped one "finishes" when its
// dependency does.
std::optional<double> ran_until(const agent_result& a) {
  return finite(a.started_ms) ? finite(a.finished_ms) : std::nullopt;
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
  std::vector<std::size_t> path;
  std::vector<bool> is_on_path(run.agents.size());
  // A malformed run read back from a store may hold a cycle: never visit an agent twice.
  while (current && !is_on_path[*current]) {
    path.push_back(*current);
    is_on_path[*current] = true;
    std::optional<std::size_t> next;
    for (const auto& dependency : run.agents[*current].depends_on) {
      const auto found = index.find(dependency);
      const auto until = found == index.end() ? std::nullopt : ran_until(run.agents[found->second]);
      if (until && (!next || *until > *ran_until(run.agents[*next]))) {
        next = found->second;
      }
    }
    current = next;
  }
  std::reverse(path.begin(), path.end());
  return path;
}

struct group_lane {
  std::string_view name;
  std::vector<std::size_t> agents;
  std::size_t merged_groups = 0; // when this lane gathers the groups past the last one shown
};

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

struct phase_start {
  std::size_t number; // from 1, as people count phases
  double at_ms;
};

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
      starts.push_back({p + 1, *earliest});
    }
  }
  return starts;
}

// ---- Density -------------------------------------------------------------------------------

// +1 where a stretch begins, -1 where it ends.
using events = std::vector<std::pair<double, int>>;

void add_stretch(events& e, const std::optional<time_span>& s, const time_scale& scale) {
  if (s) {
    e.emplace_back(scale.clamped(s->start_ms), 1);
    e.emplace_back(scale.clamped(std::max(s->end_ms, s->start_ms)), -1);
  }
}

// The most agents in that state at any moment of each bucket: a sweep over the sorted events,
// O(n log n), so that no agent, however short, falls between two samples.
std::vector<std::size_t> bucket_peaks(events e, const time_scale& scale) {
  // At the same moment ends come first: one agent handing over to the next is not two.
  std::sort(e.begin(), e.end());
  std::vector<std::size_t> peaks(density_buckets, 0);
  long long current = 0;
  std::size_t next = 0;
  for (std::size_t b = 0; b < density_buckets; ++b) {
    const double bucket_end = scale.span_ms * static_cast<double>(b + 1) / density_buckets;
    const bool is_last = b + 1 == density_buckets;
    long long peak = current;
    for (; next < e.size() && (e[next].first < bucket_end || is_last); ++next) {
      current += e[next].second;
      peak = std::max(peak, current);
    }
    peaks[b] = static_cast<std::size_t>(std::max(peak, 0LL));
  }
  return peaks;
}

struct group_density {
  std::vector<std::size_t> running;
  std::vector<std::size_t> queued;
  std::size_t peak_running = 0;
  std::size_t peak_queued = 0;
};

group_density density_of(const run_result& run, const group_lane& g, const time_scale& scale) {
  events running;
  events queued;
  running.reserve(2 * g.agents.size());
  queued.reserve(2 * g.agents.size());
  for (const auto i : g.agents) {
    const auto s = stretches_of(run.agents[i], scale.span_ms);
    add_stretch(running, s.running, scale);
    add_stretch(queued, s.queued, scale);
  }
  group_density d{bucket_peaks(std::move(running), scale), bucket_peaks(std::move(queued), scale)};
  d.peak_running = *std::max_element(d.running.begin(), d.running.end());
  d.peak_queued = *std::max_element(d.queued.begin(), d.queued.end());
  return d;
}

// A step area over the buckets; only changes of height cost bytes. `paint`: its fill and stroke.
void write_step_area(std::ostream& os, const std::vector<std::size_t>& values, double top_value,
                     double baseline, std::string_view paint) {
  const double bucket_width = (chart_right - chart_left) / density_buckets;
  os << "<path " << paint << " d=\"M" << num{chart_left} << ' ' << num{baseline};
  double pen = baseline;
  for (std::size_t b = 0; b < values.size(); ++b) {
    const double y = baseline - static_cast<double>(values[b]) / top_value * density_height;
    if (y != pen) {
      os << 'H' << num{chart_left + bucket_width * static_cast<double>(b)} << 'V' << num{y};
      pen = y;
    }
  }
  os << 'H' << num{chart_right} << 'V' << num{baseline} << "Z\"/>\n";
}

void write_density_lane(std::ostream& os, const run_result& run, const group_lane& g,
                        const time_scale& scale, double y) {
  const auto d = density_of(run, g, scale);
  const auto summary = group_title(g) + ": " + std::to_string(g.agents.size()) + " agents, peak " +
                       std::to_string(d.peak_running) + " running, peak " +
                       std::to_string(d.peak_queued) + " queued";
  os << "<g class=\"density\" data-group=\"" << xml{group_title(g)} << "\">\n<title>"
     << xml{summary} << "</title>\n";
  os << "<text class=\"group\" x=\"8\" y=\"" << num{y + 15} << "\" font-weight=\"bold\">"
     << xml{summary, 2 * label_chars + 60} << "</text>\n";
  const double baseline = y + heading_height + density_height;
  const double top_value =
      static_cast<double>(std::max({d.peak_running, d.peak_queued, std::size_t{1}}));
  write_step_area(os, d.queued, top_value, baseline, "fill=\"#cfe2f3\"");
  write_step_area(os, d.running, top_value, baseline, "fill=\"#4caf50\"");
  // The queue's outline again on top: where fewer queued than ran, the green would hide it.
  write_step_area(os, d.queued, top_value, baseline, "fill=\"none\" stroke=\"#6fa8dc\"");
  os << "<line x1=\"" << num{chart_left} << "\" x2=\"" << num{chart_right} << "\" y1=\""
     << num{baseline} << "\" y2=\"" << num{baseline} << "\" stroke=\"#999\"/>\n";
  os << "<text x=\"" << num{chart_left - 8} << "\" y=\"" << num{baseline - density_height + 10}
     << "\" text-anchor=\"end\" fill=\"#666\">" << std::max(d.peak_running, d.peak_queued)
     << "</text>\n</g>\n";
}

void write_critical_text(std::ostream& os, const run_result& run,
                         const std::vector<std::size_t>& path, double y) {
  os << "<text class=\"critical-path\" x=\"8\" y=\"" << num{y + 16} << "\" fill=\""
     << critical_colour << "\">Critical path";
  if (path.empty()) {
    os << ": none (no agent finished)</text>\n";
    return;
  }
  os << " (" << path.size() << (path.size() == 1 ? " agent): " : " agents): ");
  const auto shown = std::min(path.size(), critical_names_shown);
  for (std::size_t k = 0; k < shown; ++k) {
    os << (k == 0 ? "" : " → ") << xml{run.agents[path[k]].name, label_chars};
  }
  if (shown < path.size()) {
    os << " and " << path.size() - shown << " more";
  }
  os << "</text>\n";
}

// ---- Agent lanes ---------------------------------------------------------------------------

std::string_view status_colour(agent_status s) {
  switch (s) {
  case agent_status::success:
    return "#4caf50";
  case agent_status::failed:
    return "#e53935";
  case agent_status::timeout:
    return "#fb8c00";
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
    os << "<line class=\"phase-boundary\" data-phase=\"" << p.number << "\" x1=\"" << num{x}
       << "\" x2=\"" << num{x} << "\" y1=\"" << num{chart_top - 6} << "\" y2=\""
       << num{chart_bottom} << "\" stroke=\"#555\" stroke-dasharray=\"4 3\"/><text x=\""
       << num{x + 3} << "\" y=\"" << num{chart_top + 9} << "\" font-size=\"9\" fill=\"#555\">"
       << "phase " << p.number << "</text>\n";
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
