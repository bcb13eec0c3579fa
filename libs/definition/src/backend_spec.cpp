#include <tutti/definition/backend_spec.hpp>

namespace tutti::definition {

std::string default_base_url(provider_kind p, std::string_view ollama_host) {
  switch (p) {
  case provider_kind::openai:
    return "https://api.openai.com";
  case provider_kind::anthropic:
    return "https://api.anthropic.com";
  case provider_kind::ollama:
    if (ollama_host.empty()) {
      return "http://localhost:11434";
    }
    // Ollama itself accepts OLLAMA_HOST without a scheme ("0.0.0.0:11434"), and then without a
    // port too, meaning its own port ("localhost" is localhost:11434), as its CLI reads it.
    if (ollama_host.find("://") == std::string_view::npos) {
      const auto colon = ollama_host.rfind(':');
      const bool has_port =
          colon != std::string_view::npos && ollama_host.find(']', colon) == std::string_view::npos;
      return "http://" + std::string{ollama_host} + (has_port ? "" : ":11434");
    }
    return std::string{ollama_host};
  case provider_kind::lmstudio:
    return "http://localhost:1234";
  case provider_kind::mock:
  case provider_kind::process:
    return "";
  }
  return "";
}

std::string_view default_api_key_env(provider_kind p) {
  switch (p) {
  case provider_kind::openai:
    return "OPENAI_API_KEY";
  case provider_kind::anthropic:
    return "ANTHROPIC_API_KEY";
  default:
    return "";
  }
}

} // namespace tutti::definition
