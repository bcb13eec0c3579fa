// A driver of admissions: on done_atom it sends `requests` acquires at once to a group (any
// actor speaking the resource protocol, local or a cluster's proxy), releases each slot as
// soon as it is granted, and answers done_atom when every request has been granted; so the
// time measured is admission alone.
#pragma once

#include <tutti/engine/resource_protocol.hpp>

#include <caf/all.hpp>

#include <vector>

namespace tutti::bench {

using done_atom = caf::atom_constant<caf::atom("done")>;

caf::behavior admission_driver(caf::event_based_actor* self, engine::resource_actor_type group,
                               std::vector<caf::actor> caps, int requests);

} // namespace tutti::bench
