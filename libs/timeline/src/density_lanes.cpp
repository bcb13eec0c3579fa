#include "density_lanes.hpp"

#include "svg_text.hpp"

#include <algorithm>
#include <utility>

namespace tutti::timeline {
namespace {

using engine::run_result;
using engine::time_span;

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

} // namespace

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

} // namespace tutti::timeline
