#include <tutti/definition/server_url.hpp>
#include <tutti/resources/group_statistics.hpp>
#include <tutti/resources/resource_group.hpp>

#include <algorithm>
#include <thread>

namespace tutti::resources {
namespace {

using definition::concurrency_limit;
using definition::provider_kind;
using definition::resource_class;

resource_class inferred_class(const definition::backend_spec& b,
                              const std::optional<definition::server_url>& where) {
  switch (b.provider) {
  case provider_kind::anthropic:
  case provider_kind::mock:
    return resource_class::remote_api;
  case provider_kind::process:
    return resource_class::local_server;
  case provider_kind::openai:
    // The official API is a cloud API; any other base URL is an OpenAI-compatible server
    // (vLLM, llama.cpp, LM Studio) and is classified by where it runs.
    if (where && where->host == "api.openai.com") {
      return resource_class::remote_api;
    }
    [[fallthrough]];
  case provider_kind::ollama:
  case provider_kind::lmstudio:
    return where && where->is_loopback ? resource_class::local_server
                                       : resource_class::remote_server;
  }
  return resource_class::remote_api;
}

// Scripts share this machine's cores; a local server answers one request at a time.
concurrency_limit default_limit(provider_kind p, resource_class r) {
  if (p == provider_kind::process) {
    return concurrency_limit::at_most(
        static_cast<int>(std::max(1U, std::thread::hardware_concurrency())));
  }
  return r == resource_class::local_server ? concurrency_limit::at_most(1)
                                           : concurrency_limit::unlimited();
}

std::string group_id(const definition::backend_spec& b,
                     const std::optional<definition::server_url>& where) {
  if (b.provider == provider_kind::mock || b.provider == provider_kind::process) {
    // No server: each such backend stands for one ("mock", "mock@mock-local", "process").
    const auto kind = std::string{definition::to_string(b.provider)};
    return b.name == kind ? b.name : kind + "@" + b.name;
  }
  // A URL that is no http(s) URL reaches no server; its calls fail, alone in their group.
  return where ? where->identity() : b.base_url;
}

} // namespace

bool is_loopback_url(std::string_view url) {
  auto where = definition::parse_server_url(url);
  return where && where->is_loopback;
}

std::string limit_text(const group_statistics& s) {
  const auto n = s.is_unlimited ? std::string{"unlimited"} : std::to_string(s.limit);
  return s.is_auto_limit ? "auto (" + n + ")" : n;
}

std::string limit_text(const resource_group& g) {
  return g.is_auto_limit ? std::string{"auto"} : definition::to_string(g.limit);
}

resource_group classify(const definition::backend_spec& backend, std::string_view model) {
  resource_group g;
  const auto where = definition::parse_server_url(backend.base_url);
  g.resource = backend.resource.value_or(inferred_class(backend, where));
  g.is_auto_limit = backend.is_auto_limit;
  g.limit = g.is_auto_limit
                ? concurrency_limit::at_most(1)
                : backend.max_concurrent.value_or(default_limit(backend.provider, g.resource));
  g.id = group_id(backend, where);
  if (backend.exclusive == definition::exclusivity::model && !model.empty()) {
    g.id += "/" + std::string{model};
  }
  return g;
}

} // namespace tutti::resources
