// What a run reports while it goes: each agent queued, started and finished.
#pragma once

#include <tutti/engine/run_result.hpp>

#include <functional>
#include <string>

namespace tutti::engine {

/// waiting: the agent waits for its backend's resource group (which `group` names, with
/// `ahead` requests before it); sent again as its place changes. token: a piece of the
/// agent's response (`text`) as the model produces it. retry: attempt `attempt` failed with
/// `text` and another follows after `delay_ms`.
enum class run_event_kind : std::int8_t { queued, waiting, started, token, retry, finished };

struct run_event {
  run_event_kind kind = run_event_kind::queued;
  std::string agent;
  agent_status status = agent_status::success; // meaningful for finished only
  double at_ms = 0;                            // since the run started
  std::string group;                           // waiting only
  std::uint64_t ahead = 0;                     // waiting only
  std::string text;                            // token: the piece; retry: why
  int attempt = 0;                             // retry only: the attempt that failed
  double delay_ms = 0;                         // retry only: the wait before the next
  int max_attempts = 0;                        // retry only: the attempts allowed in all
};

/// Called on an engine thread, one event at a time per run; must be quick and thread-safe
/// with respect to the caller's own data.
using event_callback = std::function<void(const run_event&)>;

} // namespace tutti::engine
