// One backend: a server or API that answers model requests (one resource actor later).
#pragma once

#include <tutti/definition/concurrency_limit.hpp>
#include <tutti/definition/diagnostic.hpp>
#include <tutti/definition/provider_kind.hpp>
#include <tutti/definition/resource_class.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace tutti::definition {

/// backend: one queue for the whole server; model: one per model (LM Studio serves loaded
/// models in parallel and queues the requests to each).
enum class exclusivity { backend, model };

/// When a backend keeps failing with connection errors or 5xx, its admissions pause.
struct backoff_spec {
  int failures_before_pause = 3;
  std::chrono::milliseconds initial_pause{1000};
  std::chrono::milliseconds max_pause{30000};
};

struct backend_spec {
  std::string name;
  provider_kind provider = provider_kind::mock;
  std::string base_url;                            // empty for the in-process mock
  std::optional<resource_class> resource;          // inferred from provider and host when absent
  std::optional<concurrency_limit> max_concurrent; // inferred from the resource when absent
  bool is_auto_limit = false; // max_concurrent = "auto": as many as the server has models loaded
  std::chrono::milliseconds auto_refresh{30000};
  exclusivity exclusive = exclusivity::backend;
  backoff_spec backoff;
  int max_attempts = 3;          // tries of one call, retries included
  int default_max_tokens = 1024; // sent when an agent sets none and the protocol requires it
  std::string api_key_env;       // environment variable holding the key; may be empty
  source_location where;         // where it was defined; empty for built-ins
};

/// The base URL a provider uses when none is given. Ollama honours $OLLAMA_HOST, given here
/// as `ollama_host` (empty when unset), which may lack a scheme as in "0.0.0.0:11434".
std::string default_base_url(provider_kind p, std::string_view ollama_host);

/// The variable a provider's key is read from by default, or empty when it takes none.
std::string_view default_api_key_env(provider_kind p);

} // namespace tutti::definition
