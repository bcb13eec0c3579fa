// What admission costs: requests acquiring and releasing a slot through a resource actor
// and then the engine-wide cap, as agents do. A driver actor keeps `requests` requests
// going and releases each slot as soon as it is granted, so the time measured is admission
// alone. The limit of 10, 50, 100 or none is compared with none.
#include "resource_actor.hpp"

#include <benchmark/benchmark.h>

namespace {

using namespace tutti;
using done_atom = caf::atom_constant<caf::atom("done")>;

engine::resource_config group(const definition::concurrency_limit& limit) {
  engine::resource_config cfg;
  cfg.group.id = "bench";
  cfg.group.limit = limit;
  cfg.notifies_positions = false;
  return cfg;
}

// Sends `requests` acquires at once, each to be capped by `cap` after the group, and releases
// each grant at once; answers done_atom when every request has been granted.
caf::behavior driver(caf::event_based_actor* self, engine::resource_actor_type resource,
                     caf::actor cap, int requests) {
  auto left = std::make_shared<int>(0);
  auto promise = std::make_shared<caf::response_promise>();
  return {
      [=](done_atom) {
        *promise = self->make_response_promise();
        *left = requests;
        for (int i = 0; i < requests; ++i) {
          engine::slot_request ask;
          ask.tag = static_cast<resources::ticket>(i);
          ask.caps = {cap};
          self->send(resource, engine::acquire_atom::value, std::move(ask));
        }
      },
      [=](engine::granted_atom, resources::ticket, resources::ticket t) {
        self->send(resource, engine::release_atom::value, t, engine::call_report{});
        if (--*left == 0) {
          promise->deliver(done_atom::value);
        }
      },
  };
}

void admit(benchmark::State& state) {
  const auto limit = state.range(0) == 0
                         ? definition::concurrency_limit::unlimited()
                         : definition::concurrency_limit::at_most(static_cast<int>(state.range(0)));
  const int requests = static_cast<int>(state.range(1));
  caf::actor_system_config cfg;
  cfg.set("scheduler.max-threads", 2);
  cfg.set("scheduler.policy", caf::atom("sharing"));
  caf::actor_system system{cfg};
  auto engine_limit = system.spawn(engine::resource_actor,
                                   group(definition::concurrency_limit::at_most(1'000'000)));
  auto resource = system.spawn(engine::resource_actor, group(limit));
  auto drive = system.spawn(driver, resource, caf::actor_cast<caf::actor>(engine_limit), requests);
  caf::scoped_actor self{system};
  for (auto _ : state) {
    self->request(drive, caf::infinite, done_atom::value)
        .receive([](done_atom) {}, [](caf::error&) {});
  }
  state.counters["us_per_request"] = benchmark::Counter(
      static_cast<double>(requests) * 1e-6,
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
  self->send_exit(drive, caf::exit_reason::user_shutdown);
  self->send_exit(resource, caf::exit_reason::user_shutdown);
  self->send_exit(engine_limit, caf::exit_reason::user_shutdown);
}

} // namespace

// Args: limit (0 = unlimited), requests.
BENCHMARK(admit)
    ->Args({0, 1})
    ->Args({0, 1000})
    ->Args({10, 1000})
    ->Args({50, 1000})
    ->Args({100, 1000})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
