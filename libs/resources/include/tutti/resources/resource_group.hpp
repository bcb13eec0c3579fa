// Which concurrency group a backend belongs to, and how many requests that group admits.
// Requests of one group share one resource actor (later); the table is in the README.
#pragma once

#include <tutti/definition/backend_spec.hpp>

#include <string>

namespace tutti::resources {

struct resource_group {
  std::string id; // e.g. "local-ollama-http://localhost:11434"
  definition::resource_class resource = definition::resource_class::remote_api;
  definition::concurrency_limit limit = definition::concurrency_limit::unlimited();
  bool is_auto_limit = false; // the limit follows the server's loaded models; 1 until known
};

/// The limit as people read it: "1", "unlimited", or "auto" for a limit the server decides.
std::string limit_text(const resource_group& g);

/// Whether a URL's host is this machine: localhost, 127.0.0.0/8, ::1, or 0.0.0.0 (a bind
/// address that clients reach as localhost). A URL that does not parse is not local.
bool is_loopback_url(std::string_view url);

/// Classifies a backend by provider and host; its explicit resource and max_concurrent win.
/// With `exclusive = "model"`, each model is a group of its own ("<id>/<model>").
resource_group classify(const definition::backend_spec& backend, std::string_view model = {});

} // namespace tutti::resources
