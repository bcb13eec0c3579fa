// Ensembles built in code instead of read from a file, with the same checks and the same
// result: a resolved ensemble, or every problem found.
#pragma once

#include <tutti/definition/ensemble.hpp>
#include <tutti/definition/outcome.hpp>
#include <tutti/definition/resolved_ensemble.hpp>

#include <chrono>
#include <deque>
#include <string>
#include <vector>

namespace tutti::definition {

class ensemble_builder;

/// One agent being built. Setters return the same builder; agent() starts the next agent and
/// build() builds the whole ensemble, so a definition reads top to bottom.
class agent_builder {
 public:
  agent_builder& profile(std::string name);
  agent_builder& backend(std::string name);
  agent_builder& provider(std::string name);
  agent_builder& base_url(std::string url);
  agent_builder& model(std::string name);
  agent_builder& system_prompt(std::string text);
  /// A template: {input} and {agents.NAME} are substituted.
  agent_builder& prompt(std::string text);
  agent_builder& timeout(std::chrono::milliseconds t);
  agent_builder& priority(int p);
  agent_builder& temperature(double t);
  agent_builder& max_tokens(int n);
  agent_builder& depends_on(std::vector<std::string> agents);
  agent_builder& on_dependency_failure(dependency_failure_policy policy);
  /// A condition on its dependencies' results (condition.hpp); false: it is skipped.
  agent_builder& when(std::string condition);
  /// Runs once per item of `dependency`'s output ("" for its only dependency).
  agent_builder& fan_out(std::string dependency = {});
  agent_builder& mock(mock_settings settings);

  agent_builder& agent(std::string name);
  outcome<resolved_ensemble> build(const config& c) const;

 private:
  friend class ensemble_builder;
  agent_builder(ensemble_builder& parent, std::string name);
  ensemble_builder* parent_;
  agent_spec spec_;
};

class ensemble_builder {
 public:
  explicit ensemble_builder(std::string name);
  // Agent builders point back here.
  ensemble_builder(const ensemble_builder&) = delete;
  ensemble_builder& operator=(const ensemble_builder&) = delete;

  ensemble_builder& description(std::string text);
  ensemble_builder& default_input(std::string text);
  ensemble_builder& max_concurrent_agents(int n);
  ensemble_builder& timeout(std::chrono::milliseconds t);
  ensemble_builder& priority(int p);
  ensemble_builder& scheduling(scheduling_policy s);

  /// Adds an agent, in definition order.
  agent_builder& agent(std::string name);

  /// The ensemble as written, checked on its own (names, values, dependencies, cycles).
  outcome<ensemble> definition() const;
  /// The ensemble checked and bound to `c`.
  outcome<resolved_ensemble> build(const config& c) const;

 private:
  ensemble ensemble_;
  std::deque<agent_builder> agents_; // a deque keeps references to agents valid
};

} // namespace tutti::definition
