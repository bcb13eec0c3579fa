// The engine configuration: limits, backends and model profiles.
#pragma once

#include <tutti/definition/backend_spec.hpp>
#include <tutti/definition/cluster_settings.hpp>
#include <tutti/definition/model_price.hpp>
#include <tutti/definition/profile.hpp>
#include <tutti/definition/source_text.hpp>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace tutti::definition {

struct run_limits {
  int max_concurrent_llm_calls = 50; // engine-wide cap on requests in flight
  int max_concurrent_agents = 10;    // default cap per ensemble run
  std::chrono::milliseconds agent_timeout = std::chrono::seconds{60};
  std::chrono::milliseconds ensemble_timeout = std::chrono::seconds{300};
  std::optional<std::chrono::milliseconds> queue_timeout; // none: the ensemble deadline alone
  int max_definition_mib = default_max_definition_mib;    // ensemble files larger are refused
};

struct config {
  run_limits limits;
  std::map<std::string, backend_spec> backends; // built-ins included
  std::map<std::string, profile> profiles;
  /// [store] path: where runs are kept, a relative path read from the file's folder; else the
  /// default (see tutti::store::default_store_path).
  std::optional<std::filesystem::path> store_path;
  cluster_settings cluster; // [cluster]: groups this node takes from other nodes
  /// Per model name: the built-in list prices, then [prices."MODEL"] over them.
  std::map<std::string, model_price> prices = builtin_prices();
  std::string file; // empty when no configuration file was found
};

/// The backends every configuration has unless it redefines them: openai, anthropic, ollama,
/// lmstudio, mock, process (script agents' programs, as many at once as cores), and mock-local
/// (the mock posing as a local server, one request at a time).
std::map<std::string, backend_spec> builtin_backends(std::string_view ollama_host);

} // namespace tutti::definition
