// How one run executes; each field overrides what the ensemble and configuration say.
#pragma once

#include <tutti/definition/ensemble.hpp>
#include <tutti/engine/run_observer.hpp>
#include <tutti/engine/run_result.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>

namespace tutti::engine {

struct run_options {
  run_mode mode = run_mode::parallel;
  std::optional<definition::scheduling_policy> scheduling; // else the ensemble's
  std::optional<int> max_concurrent_agents;                // else the ensemble's, else [limits]
  /// 1..10, else the ensemble's. In every group's queue, a run's requests leave before those of
  /// runs of lower priority, whatever their agents' own; the agents' order only the run's.
  std::optional<int> priority;
  /// The run's id; by default a new one, sortable by start time ("20261126-215506-3fa9c2").
  std::string id;
  /// Results of an earlier run to take instead of calling, by agent name: such an agent is not
  /// called, and its result says `reused`. The caller decides which are still valid.
  std::map<std::string, agent_result> reuse;
  std::string resumed_from; // the run these results come from, as the result records it
  std::shared_ptr<run_observer> observer; // may be empty
  /// Keep each agent's rendered prompt in its result.
  bool include_prompts = false;
  /// US dollars: an agent is admitted only while the cost spent so far, plus an estimate for
  /// each agent still running and for itself, stays within this; once it would not, that
  /// agent and every one after it is skipped ("cost limit"). The estimate of an agent takes
  /// its prompt at 4 bytes a token and its max_tokens (else 1,024) out, at its model's price
  /// (definition::config::prices); an agent whose model has no price counts as free.
  std::optional<double> max_cost_usd;
};

} // namespace tutti::engine
