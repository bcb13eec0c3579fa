#include <tutti/definition/agent_spec.hpp>

namespace tutti::definition {

const source_location& agent_spec::location_of(const std::string& key) const {
  auto i = fields.find(key);
  return i == fields.end() ? where : i->second;
}

} // namespace tutti::definition
