// For programs that want the actors themselves: the engine's CAF actor system, to spawn their
// own actors beside tutti's, and the resource actors, for a cluster (libs/cluster) that shares
// them between engines. Including this header brings in CAF 0.17; the rest of the engine API
// does not need it.
#pragma once

#include <tutti/definition/backend_spec.hpp>
#include <tutti/engine/engine.hpp>
#include <tutti/resources/resource_group.hpp>

#include <caf/all.hpp>

#include <optional>
#include <string>

namespace tutti::engine {

/// The actor system the engine's actors run in; it lives as long as the engine.
caf::actor_system& actor_system_of(engine& e);

/// Resource groups that another engine holds; asked once per group, as the engine makes it.
class group_source {
 public:
  virtual ~group_source() = default;
  /// The actor that speaks for group `g` (whose server `backend` reaches) in the resource
  /// protocol (tutti/engine/resource_protocol.hpp); nullopt: the engine makes its own.
  virtual std::optional<caf::actor> group_of(caf::actor_system& system,
                                             const resources::resource_group& g,
                                             const definition::backend_spec& backend) = 0;
};

/// The resource actor of this engine's own group for `server` (any URL spelling of it) and,
/// for a backend with a group per model, `model` (else empty); made from a backend of the
/// configuration when no run has made it yet. nullopt when no backend of the configuration
/// reaches that server, or its group is held by another engine.
std::optional<caf::actor> own_group_actor(engine& e, const std::string& server,
                                          const std::string& model);

} // namespace tutti::engine
