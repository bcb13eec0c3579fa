// For programs that want the actors themselves: the engine's CAF actor system, to spawn their
// own actors beside tutti's. Including this header brings in CAF 0.17; the rest of the engine
// API does not need it.
#pragma once

#include <tutti/engine/engine.hpp>

#include <caf/all.hpp>

namespace tutti::engine {

/// The actor system the engine's actors run in; it lives as long as the engine.
caf::actor_system& actor_system_of(engine& e);

} // namespace tutti::engine
