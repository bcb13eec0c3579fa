// Live statistics of one resource group, as the engine API, `tutti run --stats` and the run's
// JSON show them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tutti::resources {

struct group_statistics {
  std::string id;                     // the server: "http://localhost:11434"
  std::vector<std::string> spellings; // other URLs that reach it, as backends name it
  std::string resource;               // remote-api, remote-server, local-server
  std::int64_t limit = 0;             // requests at once, unless is_unlimited
  bool is_unlimited = false;
  bool is_auto_limit = false;    // the limit follows the server's loaded models
  std::uint64_t active = 0;      // requests this group admitted that are calling now
  std::uint64_t pending = 0;     // requests waiting for this group, or for a cap after it
  std::uint64_t peak_active = 0; // the most calls at once so far: what the server saw
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
  return f(x.id, x.spellings, x.resource, x.limit, x.is_unlimited, x.is_auto_limit, x.active,
           x.pending, x.peak_active, x.completed, x.failed, x.timed_out, x.cancelled, x.backoff,
           x.note, x.wait_mean_ms, x.wait_p50_ms, x.wait_p95_ms, x.wait_max_ms);
}

/// The limit as people read it: "1", "unlimited", "auto (2)".
std::string limit_text(const group_statistics& s);

} // namespace tutti::resources
