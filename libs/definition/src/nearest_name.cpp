#include <tutti/definition/nearest_name.hpp>

#include <algorithm>
#include <numeric>

namespace tutti::definition {
namespace {

// Edit distance where swapping two neighbouring letters ("smrat" for "smart") is one edit, as
// people mistype, besides inserting, deleting or changing one (optimal string alignment).
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) {
    d[i][0] = i;
  }
  std::iota(d[0].begin(), d[0].end(), 0);
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

} // namespace

std::optional<std::string> nearest_name(std::string_view name,
                                        const std::vector<std::string>& candidates) {
  const std::size_t allowed = std::max<std::size_t>(1, name.size() / 3);
  std::optional<std::string> best;
  std::size_t best_distance = allowed + 1;
  for (const auto& candidate : candidates) {
    // A name cut short ("latency" for "latency_ms") is as plausible as a one-letter typo.
    const bool is_prefix = name.size() >= 3 && std::string_view{candidate}.starts_with(name);
    auto d = is_prefix ? 1 : edit_distance(name, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  return best;
}

std::string nearest_first(std::string_view name, std::vector<std::string> candidates,
                          std::size_t at_most) {
  std::stable_sort(candidates.begin(), candidates.end(),
                   [&](const std::string& a, const std::string& b) {
                     return edit_distance(name, a) < edit_distance(name, b);
                   });
  std::string out;
  for (std::size_t i = 0; i < candidates.size() && i < at_most; ++i) {
    out += (i == 0 ? "" : ", ") + candidates[i];
  }
  if (candidates.size() > at_most) {
    out += ", and " + std::to_string(candidates.size() - at_most) + " more";
  }
  return out;
}

std::string did_you_mean(std::string_view name, const std::vector<std::string>& candidates) {
  auto nearest = nearest_name(name, candidates);
  return nearest ? " (did you mean '" + *nearest + "'?)" : std::string{};
}

} // namespace tutti::definition
