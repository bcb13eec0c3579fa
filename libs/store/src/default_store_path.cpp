#include <tutti/store/default_store_path.hpp>

namespace tutti::store {

std::optional<std::filesystem::path> default_store_path(const definition::environment& env) {
  auto home = definition::state_home(env);
  return home ? std::optional{*home / "tutti" / "runs.db"} : std::nullopt;
}

} // namespace tutti::store
