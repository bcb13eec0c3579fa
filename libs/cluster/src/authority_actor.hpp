// The actor a node publishes: it hands other nodes the resource actors of the groups this
// node's engine holds, so that their requests wait in the same queue as its own.
#pragma once

#include <tutti/engine/engine.hpp>

#include <caf/all.hpp>

namespace tutti::cluster {

/// The authority of `e`'s own groups; it must exit before `e` is destroyed.
caf::behavior authority_actor(caf::event_based_actor* self, engine::engine* e);

} // namespace tutti::cluster
