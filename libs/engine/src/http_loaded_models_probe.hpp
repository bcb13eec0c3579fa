// max_concurrent = "auto" over HTTP: Ollama's GET /api/ps lists the models it has loaded;
// LM Studio's GET /api/v0/models lists its models with their state.
#pragma once

#include <tutti/providers/http_client.hpp>
#include <tutti/resources/loaded_models_probe.hpp>

#include <memory>
#include <optional>
#include <string_view>

namespace tutti::engine {

/// How many models a /api/ps (Ollama) or /api/v0/models (LM Studio) answer lists as loaded;
/// nullopt when the body is not such an answer.
std::optional<int> loaded_models_in(definition::provider_kind provider, std::string_view body);

class http_loaded_models_probe final : public resources::loaded_models_probe {
 public:
  explicit http_loaded_models_probe(std::shared_ptr<providers::http_client> client);
  void count_loaded(const definition::backend_spec& backend,
                    resources::loaded_models_callback done) override;

 private:
  std::shared_ptr<providers::http_client> client_;
};

} // namespace tutti::engine
