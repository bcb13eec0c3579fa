#include <tutti/definition/agent_spec.hpp>

namespace tutti::definition {

source_location agent_spec::location_of(std::string_view key) const {
  for (const auto& k : keys) {
    if (k.key == key) {
      return {where.file, k.line, k.column};
    }
  }
  return where;
}

} // namespace tutti::definition
