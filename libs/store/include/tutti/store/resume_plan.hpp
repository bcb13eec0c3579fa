// What a resume may take from the run it continues: the stored results that still answer the
// question the ensemble asks today.
#pragma once

#include <tutti/definition/resolved_ensemble.hpp>
#include <tutti/engine/run_result.hpp>
#include <tutti/store/run_store.hpp>

#include <map>
#include <string>
#include <vector>

namespace tutti::store {

struct resume_plan {
  /// Agents whose definition differs from the stored run's, or that it did not have, in
  /// today's definition order; then agents it had that are gone.
  std::vector<std::string> changed;
  /// The stored results to reuse, by agent name (engine::run_options::reuse).
  std::map<std::string, engine::agent_result> reuse;

  bool is_unchanged() const { return changed.empty(); }
};

/// An agent's stored result is reused when it succeeded, its definition is unchanged, and
/// every agent it depends on is reused too (so its inputs are what they were: the stored
/// input, and the same outputs). Everything else runs again.
resume_plan plan_resume(const stored_run& run, const definition::resolved_ensemble& now);

} // namespace tutti::store
