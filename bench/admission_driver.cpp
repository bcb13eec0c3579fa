#include "admission_driver.hpp"

#include <memory>

namespace tutti::bench {

caf::behavior admission_driver(caf::event_based_actor* self, engine::resource_actor_type group,
                               std::vector<caf::actor> caps, int requests) {
  auto left = std::make_shared<int>(0);
  auto promise = std::make_shared<caf::response_promise>();
  return {
      [=](done_atom) {
        *promise = self->make_response_promise();
        *left = requests;
        for (int i = 0; i < requests; ++i) {
          engine::slot_request ask;
          ask.tag = static_cast<resources::ticket>(i);
          ask.caps = caps;
          self->send(group, engine::acquire_atom::value, std::move(ask));
        }
      },
      [=](engine::granted_atom, resources::ticket, resources::ticket t) {
        self->send(group, engine::release_atom::value, t, engine::call_report{});
        if (--*left == 0) {
          promise->deliver(done_atom::value);
        }
      },
  };
}

} // namespace tutti::bench
