#include <tutti/definition/resource_class.hpp>

namespace tutti::definition {

std::string_view to_string(resource_class r) {
  switch (r) {
  case resource_class::remote_api:
    return "remote-api";
  case resource_class::remote_server:
    return "remote-server";
  case resource_class::local_server:
    return "local-server";
  }
  return "unknown";
}

std::optional<resource_class> parse_resource_class(std::string_view name) {
  for (auto r :
       {resource_class::remote_api, resource_class::remote_server, resource_class::local_server}) {
    if (to_string(r) == name) {
      return r;
    }
  }
  return std::nullopt;
}

} // namespace tutti::definition
