// A configuration built in code instead of read from tutti.toml: the built-in backends and
// default limits, plus what the program adds, checked as the file would be.
#pragma once

#include <tutti/definition/config.hpp>
#include <tutti/definition/outcome.hpp>

#include <chrono>
#include <string>

namespace tutti::definition {

class config_builder {
 public:
  /// The built-in backends and default limits; the environment is not consulted.
  config_builder();

  config_builder& max_concurrent_llm_calls(int n);
  config_builder& max_concurrent_agents(int n);
  config_builder& agent_timeout(std::chrono::milliseconds t);
  config_builder& ensemble_timeout(std::chrono::milliseconds t);
  /// Adds a backend, or replaces the one of the same name (a built-in included).
  config_builder& backend(backend_spec b);
  config_builder& profile(std::string name, model_settings settings);

  outcome<config> build() const;

 private:
  config config_;
};

} // namespace tutti::definition
