#include <tutti/definition/config.hpp>

namespace tutti::definition {

std::map<std::string, backend_spec> builtin_backends(std::string_view ollama_host) {
  std::map<std::string, backend_spec> backends;
  for (auto p : all_provider_kinds) {
    backend_spec b;
    b.name = std::string{to_string(p)};
    b.provider = p;
    b.base_url = default_base_url(p, ollama_host);
    b.api_key_env = std::string{default_api_key_env(p)};
    backends.emplace(b.name, b);
  }
  backend_spec local_mock;
  local_mock.name = "mock-local";
  local_mock.provider = provider_kind::mock;
  local_mock.resource = resource_class::local_server;
  backends.emplace(local_mock.name, local_mock);
  return backends;
}

} // namespace tutti::definition
