// Live statistics of one resource group, as the engine API, `tutti run --stats` and the run's
// JSON show them.
#pragma once

#include <cstdint>
#include <string>

namespace tutti::resources {

struct group_statistics {
  std::string id;
  std::string resource; // remote-api, remote-server, local-server
  std::string limit;    // "1", "unlimited"
  std::uint64_t active = 0;
  std::uint64_t pending = 0;
  std::uint64_t peak_active = 0; // the most requests in flight at once so far
  std::uint64_t completed = 0;
  std::uint64_t failed = 0;
  std::uint64_t timed_out = 0;
  std::uint64_t cancelled = 0;
  std::string backoff; // ok, paused, probing, probe due
  std::string note;    // how an automatic limit was found, or why it fell back
  double wait_mean_ms = 0;
  double wait_p50_ms = 0;
  double wait_p95_ms = 0;
  double wait_max_ms = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, group_statistics& x) {
  return f(x.id, x.resource, x.limit, x.active, x.pending, x.peak_active, x.completed, x.failed,
           x.timed_out, x.cancelled, x.backoff, x.note, x.wait_mean_ms, x.wait_p50_ms,
           x.wait_p95_ms, x.wait_max_ms);
}

} // namespace tutti::resources
