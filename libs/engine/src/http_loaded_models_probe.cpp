#include "http_loaded_models_probe.hpp"

#include <nlohmann/json.hpp>

namespace tutti::engine {

std::optional<int> loaded_models_in(definition::provider_kind provider, std::string_view body) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return std::nullopt;
  }
  if (provider == definition::provider_kind::ollama) {
    auto models = j.find("models");
    if (models == j.end() || !models->is_array()) {
      return std::nullopt;
    }
    return static_cast<int>(models->size());
  }
  auto data = j.find("data");
  if (data == j.end() || !data->is_array()) {
    return std::nullopt;
  }
  int loaded = 0;
  for (const auto& model : *data) {
    loaded += model.is_object() && model.value("state", "") == "loaded" ? 1 : 0;
  }
  return loaded;
}

http_loaded_models_probe::http_loaded_models_probe(std::shared_ptr<providers::http_client> client)
    : client_(std::move(client)) {}

void http_loaded_models_probe::count_loaded(const definition::backend_spec& backend,
                                            resources::loaded_models_callback done) {
  const bool is_ollama = backend.provider == definition::provider_kind::ollama;
  providers::http_call call;
  call.method = "GET";
  call.target =
      providers::base_path_of(backend.base_url) + (is_ollama ? "/api/ps" : "/api/v0/models");
  providers::http_deadlines quick;
  quick.connect = std::chrono::seconds{2};
  quick.idle = std::chrono::seconds{5};
  quick.total = std::chrono::seconds{10};
  const auto provider = backend.provider;
  const auto where = backend.base_url + call.target;
  client_->send(backend.base_url, std::move(call), quick, {},
                [done = std::move(done), provider, where](providers::http_result r) {
                  if (r.error) {
                    return done(std::nullopt, r.error->message);
                  }
                  if (r.status != 200) {
                    return done(std::nullopt,
                                "HTTP " + std::to_string(r.status) + " from " + where);
                  }
                  auto loaded = loaded_models_in(provider, r.body);
                  done(loaded, loaded ? "" : "an answer from " + where + " that lists no models");
                });
}

} // namespace tutti::engine
