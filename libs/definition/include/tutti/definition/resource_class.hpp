// What kind of server a backend is, which decides how many requests it takes at once.
#pragma once

#include <optional>
#include <string_view>

namespace tutti::definition {

enum class resource_class {
  remote_api,    // a cloud API: runs requests in parallel
  remote_server, // a model server on another machine: parallel by default
  local_server,  // a model server on this machine: one request at a time by default
};

/// The TOML spelling, e.g. "local-server".
std::string_view to_string(resource_class r);

std::optional<resource_class> parse_resource_class(std::string_view name);

} // namespace tutti::definition
