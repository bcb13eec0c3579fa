// Asking a local model server how many models it has loaded, for max_concurrent = "auto"
// (Ollama: GET /api/ps; LM Studio: GET /api/v0/models, state "loaded").
#pragma once

#include <tutti/definition/backend_spec.hpp>

#include <functional>
#include <optional>
#include <string>

namespace tutti::resources {

/// The answer: the number of loaded models, or nullopt and why the server could not be asked.
using loaded_models_callback = std::function<void(std::optional<int> loaded, std::string why)>;

class loaded_models_probe {
 public:
  virtual ~loaded_models_probe() = default;
  /// Calls `done` exactly once, from any thread.
  virtual void count_loaded(const definition::backend_spec& backend,
                            loaded_models_callback done) = 0;
};

} // namespace tutti::resources
