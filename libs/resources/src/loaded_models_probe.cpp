#include <tutti/resources/loaded_models_probe.hpp>

namespace tutti::resources {

void unreachable_probe::count_loaded(const definition::backend_spec& backend,
                                     loaded_models_callback done) {
  done(std::nullopt, "this build has no HTTP client to ask " + backend.base_url);
}

} // namespace tutti::resources
