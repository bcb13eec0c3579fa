// What loading costs before any agent runs: parsing, checking, resolving and planning an
// ensemble of N agents. The engine's own overhead per agent should stay in microseconds, and
// so should this.
#include <tutti/definition/config_loader.hpp>
#include <tutti/definition/ensemble_parser.hpp>
#include <tutti/definition/resolved_ensemble.hpp>

#include <benchmark/benchmark.h>

namespace {

using namespace tutti::definition;

// N agents in layers of ten, each depending on two agents of the layer before.
std::string layered_ensemble(int agents) {
  std::string text = "name = \"bench\"\n";
  for (int i = 0; i < agents; ++i) {
    text += "[[agents]]\nname = \"a" + std::to_string(i) + "\"\nprovider = \"mock\"\n";
    if (const int previous_layer = i / 10 * 10 - 10; previous_layer >= 0) {
      text += "depends_on = [\"a" + std::to_string(previous_layer + i % 10) + "\", \"a" +
              std::to_string(previous_layer + (i + 1) % 10) + "\"]\n";
    }
  }
  return text;
}

void load_and_plan(benchmark::State& state) {
  const auto agents = static_cast<int>(state.range(0));
  const auto text = layered_ensemble(agents);
  const auto config = parse_config("", "", fixed_environment({})).value();
  for (auto _ : state) {
    auto e = parse_ensemble(text, "bench.toml");
    auto r = resolve(e.value(), config);
    benchmark::DoNotOptimize(r.value().phases.size());
  }
  state.counters["us_per_agent"] = benchmark::Counter(
      static_cast<double>(agents) * 1e-6,
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

} // namespace

BENCHMARK(load_and_plan)->Arg(10)->Arg(100)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);
