// What admission costs: requests acquiring and releasing a slot through a resource actor
// and then the engine-wide cap, as agents do (admission_driver.hpp). The limit of 10, 50,
// 100 or none is compared with none.
#include "admission_driver.hpp"
#include "resource_actor.hpp"

#include <benchmark/benchmark.h>

namespace {

using namespace tutti;
using bench::done_atom;

engine::resource_config group(const definition::concurrency_limit& limit) {
  engine::resource_config cfg;
  cfg.group.id = "bench";
  cfg.group.limit = limit;
  cfg.notifies_positions = false;
  return cfg;
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
  auto drive =
      system.spawn(bench::admission_driver, resource,
                   std::vector<caf::actor>{caf::actor_cast<caf::actor>(engine_limit)}, requests);
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
