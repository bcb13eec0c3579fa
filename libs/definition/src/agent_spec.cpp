#include <tutti/definition/agent_spec.hpp>

#include <algorithm>
#include <iterator>

namespace tutti::definition {

bool is_model_key(std::string_view key) {
  return std::find(std::begin(model_keys), std::end(model_keys), key) != std::end(model_keys);
}

source_location agent_spec::location_of(std::string_view key) const {
  for (const auto& k : keys) {
    if (k.key == key) {
      return {where.file, k.line, k.column};
    }
  }
  return where;
}

} // namespace tutti::definition
