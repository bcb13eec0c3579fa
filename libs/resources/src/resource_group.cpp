#include <tutti/resources/resource_group.hpp>

#include <boost/url/parse.hpp>

namespace tutti::resources {
namespace {

using definition::concurrency_limit;
using definition::provider_kind;
using definition::resource_class;

resource_class inferred_class(const definition::backend_spec& b) {
  switch (b.provider) {
  case provider_kind::anthropic:
  case provider_kind::mock:
    return resource_class::remote_api;
  case provider_kind::openai:
    // The official API is a cloud API; any other base URL is an OpenAI-compatible server
    // (vLLM, llama.cpp, LM Studio) and is classified by where it runs.
    if (b.base_url == definition::default_base_url(provider_kind::openai, "")) {
      return resource_class::remote_api;
    }
    [[fallthrough]];
  case provider_kind::ollama:
  case provider_kind::lmstudio:
    return is_loopback_url(b.base_url) ? resource_class::local_server
                                       : resource_class::remote_server;
  }
  return resource_class::remote_api;
}

std::string group_id(const definition::backend_spec& b, resource_class r) {
  const std::string provider{definition::to_string(b.provider)};
  if (b.provider == provider_kind::mock) {
    // The mock has no server; each mock backend stands for one ("mock", "mock@mock-local").
    return b.name == "mock" ? b.name : "mock@" + b.name;
  }
  switch (r) {
  case resource_class::remote_api:
    // Another API speaking the same protocol (a proxy, a second vendor) is a group of its own.
    if (b.base_url != definition::default_base_url(b.provider, "")) {
      return "remote-api-" + provider + "-" + b.base_url;
    }
    return "remote-api-" + provider;
  case resource_class::local_server:
    return "local-" + provider + "-" + b.base_url;
  case resource_class::remote_server:
    return "remote-" + provider + "-" + b.base_url;
  }
  return provider;
}

} // namespace

bool is_loopback_url(std::string_view url) {
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) {
    return false;
  }
  switch (parsed->host_type()) {
  case boost::urls::host_type::ipv4: {
    auto address = parsed->host_ipv4_address();
    return address.is_loopback() || address.to_uint() == 0;
  }
  case boost::urls::host_type::ipv6:
    return parsed->host_ipv6_address().is_loopback();
  case boost::urls::host_type::name: {
    auto host = parsed->host_name();
    return host == "localhost" || host.ends_with(".localhost");
  }
  default:
    return false;
  }
}

std::string limit_text(const resource_group& g) {
  return g.is_auto_limit ? std::string{"auto"} : definition::to_string(g.limit);
}

resource_group classify(const definition::backend_spec& backend, std::string_view model) {
  resource_group g;
  g.resource = backend.resource.value_or(inferred_class(backend));
  g.is_auto_limit = backend.is_auto_limit;
  g.limit = g.is_auto_limit
                ? concurrency_limit::at_most(1)
                : backend.max_concurrent.value_or(g.resource == resource_class::local_server
                                                      ? concurrency_limit::at_most(1)
                                                      : concurrency_limit::unlimited());
  g.id = group_id(backend, g.resource);
  if (backend.exclusive == definition::exclusivity::model && !model.empty()) {
    g.id += "/" + std::string{model};
  }
  return g;
}

} // namespace tutti::resources
