// Parallel against sequential on the mock backend: N independent agents of 100 ms each.
// The ideal wall time is one latency in parallel and N latencies in sequence; what the engine
// adds beyond that, per agent, is its overhead.
#include <tutti/definition/config_loader.hpp>
#include <tutti/definition/ensemble_parser.hpp>
#include <tutti/engine/engine.hpp>

#include <benchmark/benchmark.h>

namespace {

using namespace tutti;

constexpr int latency_ms = 100;

// The engine-wide cap (50 by default) would otherwise be what is measured.
definition::config uncapped_config() {
  return definition::parse_config("[limits]\nmax_concurrent_llm_calls = 1000000\n", "bench",
                                  definition::fixed_environment({}))
      .value();
}

definition::resolved_ensemble fan_out(int agents) {
  std::string text = "name = \"bench\"\ntimeout_seconds = 3600\nmax_concurrent_agents = " +
                     std::to_string(agents) + "\n";
  for (int i = 0; i < agents; ++i) {
    text += "[[agents]]\nname = \"a" + std::to_string(i) +
            "\"\nprovider = \"mock\"\nmock = { latency_ms = " + std::to_string(latency_ms) + " }\n";
  }
  return definition::resolve(definition::parse_ensemble(text, "bench.toml").value(),
                             uncapped_config())
      .value();
}

void run_agents(benchmark::State& state, engine::run_mode mode) {
  const auto agents = static_cast<int>(state.range(0));
  const auto ensemble = fan_out(agents);
  engine::engine e{uncapped_config()};
  engine::run_options options;
  options.mode = mode;
  double wall_ms = 0;
  for (auto _ : state) {
    auto r = e.run(ensemble, "benchmark input", options);
    if (r.status != engine::run_status::completed) {
      state.SkipWithError("run did not complete");
    }
    wall_ms += r.elapsed_ms;
  }
  const double ideal_ms =
      mode == engine::run_mode::parallel ? latency_ms : static_cast<double>(latency_ms) * agents;
  const double mean_ms = wall_ms / static_cast<double>(state.iterations());
  state.counters["ideal_ms"] = ideal_ms;
  state.counters["overhead_us_per_agent"] = (mean_ms - ideal_ms) * 1000.0 / agents;
  state.counters["speedup_vs_sequential"] =
      static_cast<double>(latency_ms) * agents / std::max(mean_ms, 1e-9);
}

void parallel(benchmark::State& state) {
  run_agents(state, engine::run_mode::parallel);
}
void sequential(benchmark::State& state) {
  run_agents(state, engine::run_mode::sequential);
}

} // namespace

BENCHMARK(parallel)->Arg(1)->Arg(10)->Arg(100)->Arg(1000)->Arg(10000)->UseRealTime()->Unit(
    benchmark::kMillisecond);
BENCHMARK(sequential)
    ->Arg(1)
    ->Arg(10)
    ->Arg(100)
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
