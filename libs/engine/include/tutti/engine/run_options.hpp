// How one run executes; each field overrides what the ensemble and configuration say.
#pragma once

#include <tutti/definition/ensemble.hpp>
#include <tutti/engine/run_result.hpp>

#include <optional>

namespace tutti::engine {

struct run_options {
  run_mode mode = run_mode::parallel;
  std::optional<definition::scheduling_policy> scheduling; // else the ensemble's
  std::optional<int> max_concurrent_agents;                // else the ensemble's, else [limits]
};

} // namespace tutti::engine
