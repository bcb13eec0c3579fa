// What every actor of one run reads and nobody changes: the ensemble, its input, the options
// in force and the provider of each agent.
#pragma once

#include "resource_actor.hpp"

#include <tutti/definition/resolved_ensemble.hpp>
#include <tutti/engine/run_event.hpp>
#include <tutti/engine/run_observer.hpp>
#include <tutti/engine/run_result.hpp>
#include <tutti/providers/provider.hpp>

#include <caf/actor.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tutti::engine {

/// Where an agent's fallback is called: its provider, group and price.
struct fallback_route {
  std::shared_ptr<providers::provider> provider;
  std::string group;
  resource_actor_type resource;
  std::optional<definition::model_price> price;
};

struct run_context;

/// What a run gives the engine to start the run of an ensemble that one of its agents runs:
/// on the same groups, under the same caps, told to the parent as it goes.
struct nested_start {
  definition::resolved_ensemble ensemble;
  std::string id;
  std::string input;
  std::chrono::steady_clock::time_point deadline; // the parent's, or the agent's if sooner
  const run_context* parent = nullptr;            // read while the call lasts
  event_callback on_event;                        // the nested run's events, as they happen
  std::function<void(run_result)> on_done;
};

struct run_context {
  std::string id;
  definition::resolved_ensemble ensemble;
  std::string input;
  run_mode mode = run_mode::parallel;
  definition::scheduling_policy scheduling = definition::scheduling_policy::phased;
  int max_concurrent_agents = 1;
  int priority = definition::default_priority;                 // the run's, before its agents' own
  std::vector<std::shared_ptr<providers::provider>> providers; // per agent
  std::vector<std::string> groups;                             // per agent
  std::vector<resource_actor_type> resources;         // per agent: its group's resource actor
  std::vector<std::vector<fallback_route>> fallbacks; // per agent: as its fallbacks, in order
  /// The caps a request asks once its group has admitted it: the run's (unless the run has
  /// too few agents to reach it), then the engine's.
  std::vector<caf::actor> caps;
  caf::actor run_cap; // the run's own cap, asked or not; it ends with the run
  std::chrono::steady_clock::time_point deadline;            // the ensemble's
  std::map<std::string, std::vector<std::string>> spellings; // per group: other URLs for it
  std::map<std::size_t, agent_result> reuse; // by agent index: an earlier result to take
  std::string resumed_from;
  std::string started_at; // UTC, as run_result says it
  bool include_prompts = false;
  std::optional<double> max_cost_usd;
  std::vector<std::optional<definition::model_price>> prices; // per agent: its model's
  std::shared_ptr<run_observer> observer;                     // may be empty
  event_callback on_event;                                    // may be empty
  std::function<void(run_result)> on_done;                    // called once, at the end
  /// Starts a nested run (see nested_start) and returns its run actor, which ends with the
  /// parent's cancel_atom.
  std::function<caf::actor(nested_start)> start_nested;
};

} // namespace tutti::engine
