// A backend of one provider at one URL, for tests of classification and groups.
#pragma once

#include <tutti/definition/backend_spec.hpp>

#include <string>

namespace tutti::test {

inline definition::backend_spec backend_at(std::string name, definition::provider_kind p,
                                           std::string url) {
  definition::backend_spec b;
  b.name = std::move(name);
  b.provider = p;
  b.base_url = std::move(url);
  return b;
}

} // namespace tutti::test
