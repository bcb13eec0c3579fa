#include "support/backend_at.hpp"

#include <tutti/resources/resource_group.hpp>

#include <catch2/catch.hpp>

using namespace tutti::definition;
constexpr auto backend = tutti::test::backend_at;
using tutti::resources::classify;
using tutti::resources::is_loopback_url;

TEST_CASE("backends are classified by provider and host, row by row") {
  struct row {
    backend_spec backend;
    resource_class resource;
    concurrency_limit limit;
    std::string group;
  };
  const auto unlimited = concurrency_limit::unlimited();
  const auto one = concurrency_limit::at_most(1);
  const std::vector<row> table{
      {backend("anthropic", provider_kind::anthropic, "https://api.anthropic.com"),
       resource_class::remote_api, unlimited, "https://api.anthropic.com:443"},
      {backend("openai", provider_kind::openai, "https://api.openai.com"),
       resource_class::remote_api, unlimited, "https://api.openai.com:443"},
      {backend("ollama", provider_kind::ollama, "http://localhost:11434"),
       resource_class::local_server, one, "http://localhost:11434"},
      {backend("o", provider_kind::ollama, "http://127.0.0.2:11434"), resource_class::local_server,
       one, "http://localhost:11434"},
      {backend("o", provider_kind::ollama, "http://[::1]:11434"), resource_class::local_server, one,
       "http://localhost:11434"},
      {backend("gpu", provider_kind::ollama, "http://gpu-box:11434"), resource_class::remote_server,
       unlimited, "http://gpu-box:11434"},
      {backend("lmstudio", provider_kind::lmstudio, "http://localhost:1234"),
       resource_class::local_server, one, "http://localhost:1234"},
      {backend("lm", provider_kind::lmstudio, "http://host:1234"), resource_class::remote_server,
       unlimited, "http://host:1234"},
      {backend("mock", provider_kind::mock, ""), resource_class::remote_api, unlimited, "mock"},
      {backend("vllm", provider_kind::openai, "http://localhost:8000"),
       resource_class::local_server, one, "http://localhost:8000"},
      {backend("vllm", provider_kind::openai, "http://10.0.0.5:8000"),
       resource_class::remote_server, unlimited, "http://10.0.0.5:8000"},
  };
  for (const auto& r : table) {
    INFO(r.backend.name << " at " << r.backend.base_url);
    auto g = classify(r.backend);
    CHECK(g.resource == r.resource);
    CHECK(g.limit == r.limit);
    CHECK(g.id == r.group);
  }
}

TEST_CASE("a backend's explicit resource and max_concurrent win over the table") {
  auto studio = backend("studio", provider_kind::lmstudio, "http://localhost:1234");
  studio.max_concurrent = concurrency_limit::at_most(4);
  CHECK(classify(studio).limit == concurrency_limit::at_most(4));
  CHECK(classify(studio).resource == resource_class::local_server);

  auto remote_marked_local = backend("gpu", provider_kind::ollama, "http://gpu-box:11434");
  remote_marked_local.resource = resource_class::local_server;
  CHECK(classify(remote_marked_local).limit == concurrency_limit::at_most(1));
  CHECK(classify(remote_marked_local).id == "http://gpu-box:11434");

  auto unlimited_local = backend("ollama", provider_kind::ollama, "http://localhost:11434");
  unlimited_local.max_concurrent = concurrency_limit::unlimited();
  CHECK(classify(unlimited_local).limit.is_unlimited());

  auto proxy = backend("router", provider_kind::openai, "https://openrouter.example/api");
  proxy.resource = resource_class::remote_api;
  CHECK(classify(proxy).id == "https://openrouter.example:443");

  auto local_mock = backend("mock-local", provider_kind::mock, "");
  local_mock.resource = resource_class::local_server;
  CHECK(classify(local_mock).id == "mock@mock-local");
  CHECK(classify(local_mock).limit == concurrency_limit::at_most(1));
}

TEST_CASE("loopback hosts are recognised and nothing else is") {
  CHECK(is_loopback_url("http://localhost:1"));
  CHECK(is_loopback_url("http://127.1.2.3"));
  CHECK(is_loopback_url("http://[::1]:8080/v1"));
  CHECK(is_loopback_url("http://0.0.0.0:11434"));
  CHECK(is_loopback_url("http://api.localhost"));
  CHECK_FALSE(is_loopback_url("http://localhost.example.com"));
  CHECK_FALSE(is_loopback_url("http://128.0.0.1"));
  CHECK_FALSE(is_loopback_url("http://[::2]"));
  CHECK_FALSE(is_loopback_url("not a url"));
  // Decided on the parsed address, not on the text.
  CHECK(is_loopback_url("http://Localhost:11434"));
  CHECK(is_loopback_url("http://localhost.:11434"));
  CHECK(is_loopback_url("http://127.1:11434"));
  CHECK(is_loopback_url("http://[::ffff:127.0.0.1]:11434"));
  CHECK(is_loopback_url("HTTP://LOCALHOST:11434"));
  CHECK_FALSE(is_loopback_url("http://127.0.0.1.nip.io:11434"));
  CHECK_FALSE(is_loopback_url("http://[::ffff:10.0.0.1]:11434"));
}

TEST_CASE("a group is a server: every spelling of one endpoint is one group, whatever the "
          "provider and path") {
  const std::vector<std::pair<provider_kind, std::string>> spellings{
      {provider_kind::ollama, "http://localhost:11434"},
      {provider_kind::ollama, "http://127.0.0.1:11434"},
      {provider_kind::openai, "http://127.0.0.1:11434/v1"},
      {provider_kind::openai, "http://localhost:11434/v1/"},
      {provider_kind::lmstudio, "http://Localhost:11434"},
      {provider_kind::ollama, "http://localhost.:11434"},
      {provider_kind::ollama, "http://127.1:11434"},
      {provider_kind::ollama, "http://[::1]:11434"},
      {provider_kind::ollama, "http://[::ffff:127.0.0.1]:11434"},
      {provider_kind::ollama, "http://0.0.0.0:11434"},
  };
  for (const auto& [provider, url] : spellings) {
    INFO(url);
    auto g = classify(backend("b", provider, url));
    CHECK(g.id == "http://localhost:11434");
    CHECK(g.resource == resource_class::local_server);
    CHECK(g.limit == concurrency_limit::at_most(1));
  }
  // Default ports are filled in; another port is another server.
  CHECK(classify(backend("a", provider_kind::openai, "https://Example.COM./v1")).id ==
        "https://example.com:443");
  CHECK(classify(backend("a", provider_kind::openai, "http://example.com")).id ==
        "http://example.com:80");
  CHECK(classify(backend("a", provider_kind::ollama, "http://localhost:11435")).id ==
        "http://localhost:11435");
  CHECK(classify(backend("a", provider_kind::ollama, "http://127.0.0.1.nip.io:11434")).resource ==
        resource_class::remote_server);
}

TEST_CASE("exclusive = model makes each model of a server its own group") {
  auto studio = backend("lmstudio", provider_kind::lmstudio, "http://localhost:1234");
  studio.exclusive = exclusivity::model;
  CHECK(classify(studio, "qwen").id == "http://localhost:1234/qwen");
  CHECK(classify(studio, "llama").id == "http://localhost:1234/llama");
  studio.exclusive = exclusivity::backend;
  CHECK(classify(studio, "qwen").id == "http://localhost:1234");
}

TEST_CASE("an auto limit starts at one until the server has answered") {
  auto ollama = backend("ollama", provider_kind::ollama, "http://gpu-box:11434");
  ollama.is_auto_limit = true;
  CHECK(classify(ollama).is_auto_limit);
  CHECK(classify(ollama).limit == concurrency_limit::at_most(1));
}

TEST_CASE("limits read as numbers, unlimited or auto") {
  auto ollama = backend("ollama", provider_kind::ollama, "http://localhost:11434");
  CHECK(tutti::resources::limit_text(classify(ollama)) == "1");
  ollama.is_auto_limit = true;
  CHECK(tutti::resources::limit_text(classify(ollama)) == "auto");
  CHECK(tutti::resources::limit_text(classify(backend("a", provider_kind::anthropic, ""))) ==
        "unlimited");
}
