#include <tutti/definition/concurrency_limit.hpp>

namespace tutti::definition {

std::string to_string(const concurrency_limit& l) {
  return l.is_unlimited() ? std::string{"unlimited"} : std::to_string(l.max());
}

} // namespace tutti::definition
