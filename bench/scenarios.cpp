// The scenarios of the benchmark suite, each reproducing a published result (bench/report.py
// puts them side by side). Latencies are the published ones divided by time_scale.
#include "process_run.hpp"
#include "scenario.hpp"

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace tutti::bench {
namespace {

constexpr double step_ms = 2000 / time_scale; // a published 2 s step
constexpr double unit_ms = 1000 / time_scale; // a published 1 s unit

int arg(const benchmark::State& state, int i) {
  return static_cast<int>(state.range(i));
}

// 1. Agents per phase, sequential vs parallel vs capped at 5, over HTTP to the mock server.
void s1_sequential(benchmark::State& state) {
  measure(state, independent(arg(state, 0), step_ms, "http"), engine::run_mode::sequential);
}
void s1_parallel(benchmark::State& state) {
  measure(state, independent(arg(state, 0), step_ms, "http"));
}
void s1_capped(benchmark::State& state) {
  auto s = independent(arg(state, 0), step_ms, "http");
  s.max_concurrent_agents = 5;
  measure(state, s);
}

// 2. Five independent steps: sequential, then capped at 2, 5 and 10 agents.
void s2_five_steps(benchmark::State& state) {
  auto s = independent(5, step_ms);
  if (arg(state, 0) == 0) {
    measure(state, s, engine::run_mode::sequential);
    return;
  }
  s.max_concurrent_agents = arg(state, 0);
  measure(state, s);
}

// 3. The limiter: 1000 steps of 20 ms through a backend limit of 10, 50, 100 or none (0),
// over HTTP to the mock server, and in process (the limiter alone, without the transport).
void limited_steps(benchmark::State& state, const std::string& backend) {
  auto s = independent(1000, 20, backend);
  if (arg(state, 0) > 0) {
    s.backend_limits[backend] = arg(state, 0);
  }
  measure(state, s);
}
void s3_limiter(benchmark::State& state) {
  limited_steps(state, "http");
}
void s3_limiter_in_process(benchmark::State& state) {
  limited_steps(state, "limited");
}

// 4. Graphs with dependencies and mixed latencies: three agents at once (latencies in
// published units), then one that takes all three outputs.
scenario three_then_one(const std::string& kind, std::array<double, 3> units,
                        const std::string& last, double last_units) {
  scenario s;
  std::vector<std::string> names;
  for (std::size_t i = 0; i < units.size(); ++i) {
    names.push_back(kind + "_" + std::string(1, static_cast<char>('a' + i)));
    s.agents.push_back({names.back(), "mock", units[i] * unit_ms, {}});
  }
  s.agents.push_back({last, "mock", last_units * unit_ms, names});
  return s;
}
engine::run_mode mode_of(const benchmark::State& state) {
  return arg(state, 0) ? engine::run_mode::parallel : engine::run_mode::sequential;
}
void s4_retrieval_then_generation(benchmark::State& state) {
  measure(state, three_then_one("retrieve", {2, 3, 4}, "generate", 5), mode_of(state));
}
void s4_three_models_then_compare(benchmark::State& state) {
  measure(state, three_then_one("model", {8, 7, 6}, "compare", 0.5), mode_of(state));
}

// 5. A local server (3 s a request, published) with a limit of 1, 4 or 6 and a queue.
void s5_local_server(benchmark::State& state) {
  auto s = independent(arg(state, 1), 3000 / time_scale, "local");
  s.backend_limits["local"] = arg(state, 0);
  measure(state, s);
  // Requests per minute at the published 3 s per request.
  state.counters["requests_per_min"] =
      benchmark::Counter(arg(state, 1) * 60'000.0 / (state.counters["wall_ms"].value * time_scale));
}

// 6. Local and remote at once: six requests queue for a local server (one at a time) while
// six remote ones run; the remote ones must finish at their own latency.
void s6_mixed(benchmark::State& state) {
  auto s = independent(6, 3000 / time_scale, "local");
  s.backend_limits["local"] = 1;
  for (int i = 0; i < 6; ++i) {
    s.agents.push_back({"remote" + std::to_string(i), "mock", step_ms, {}});
  }
  auto r = measure(state, s);
  double remote_done = 0;
  double local_done = 0;
  for (const auto& a : r.agents) {
    auto& done = a.backend == "local" ? local_done : remote_done;
    done = std::max(done, a.finished_ms.value_or(0));
  }
  state.counters["remote_done_ms"] = remote_done;
  state.counters["remote_ideal_ms"] = step_ms;
  state.counters["local_done_ms"] = local_done;
}

// 7. End to end over HTTP against the mock server: 1, 100, 1000 agents at once.
void s7_http(benchmark::State& state) {
  measure(state, independent(arg(state, 0), step_ms, "http"));
}

// 8. Scale: one ensemble of 10,000 or 100,000 mock agents that answer at once, all at once:
// the engine's own cost per agent (the ideal is 0).
void s8_scale(benchmark::State& state) {
  measure(state, independent(arg(state, 0), arg(state, 1)));
  state.counters["kb_per_agent"] = state.counters["peak_mb"].value * 1024 / arg(state, 0);
}

// 8. The whole process, as a user runs it: `tutti run FILE --json` over 1,000 to 100,000
// mock agents of 1 s each (published time, unscaled), from parsing the file to exit.
void s8_process(benchmark::State& state) {
  const int agents = arg(state, 0);
  auto s = independent(agents, 1000);
  s.max_concurrent_agents = agents;
  const auto dir = std::filesystem::temp_directory_path();
  const auto tag = std::to_string(getpid());
  const auto ensemble_file = dir / ("tutti-bench-" + tag + ".toml");
  const auto config_file = dir / ("tutti-bench-" + tag + "-config.toml");
  std::ofstream{ensemble_file} << ensemble_text(s);
  std::ofstream{config_file} << config_text(s);
  // Linux hands a spawned process its parent's peak memory as its own starting peak: measured
  // from a large parent, the child's peak would be the parent's. bench/run runs this case in a
  // benchmark process of its own, and a peak no higher than ours is refused, not reported.
  reset_peak_memory();
  const double own_peak_mb = peak_memory_mb();
  process_usage used;
  for (auto _ : state) {
    used =
        run_process({tutti_binary(), "run", ensemble_file.string(), "--config",
                     config_file.string(), "--input", "benchmark input", "--json", "--no-store"});
    state.SetIterationTime(used.wall_ms / 1000);
  }
  std::filesystem::remove(ensemble_file);
  std::filesystem::remove(config_file);
  if (used.exit_code != 0) {
    state.SkipWithError(("tutti run exited " + std::to_string(used.exit_code)).c_str());
    return;
  }
  if (used.peak_mb <= own_peak_mb) {
    state.SkipWithError("the peak measured is the benchmark's own: run s8_process alone");
    return;
  }
  const double ideal = 1000;
  state.counters["agents"] = agents;
  state.counters["wall_ms"] = used.wall_ms;
  state.counters["ideal_ms"] = ideal;
  state.counters["speedup"] = agents * ideal / used.wall_ms;
  state.counters["efficiency"] = ideal / used.wall_ms;
  state.counters["overhead_us_per_agent"] = (used.wall_ms - ideal) * 1000.0 / agents;
  state.counters["cpu_ms"] = used.cpu_ms;
  state.counters["peak_mb"] = used.peak_mb;
  state.counters["kb_per_agent"] = used.peak_mb * 1024 / agents;
}

// 9. The run store: 1,000 mock agents kept (store:1) or not (store:0). phases:1 is the worst
// case, all of them ending in the same instant so that every write waits at the end;
// phases:10 is ten phases of 100 (each agent depending on its peer in the phase before), where
// the writer keeps up while the next phase waits on its models.
void s9_store(benchmark::State& state) {
  const int phases = arg(state, 0);
  const int width = 1000 / phases;
  scenario s;
  for (int p = 0; p < phases; ++p) {
    for (int i = 0; i < width; ++i) {
      scenario_agent a{"p" + std::to_string(p) + "a" + std::to_string(i), "mock", step_ms, {}};
      if (p > 0) {
        a.depends_on.push_back("p" + std::to_string(p - 1) + "a" + std::to_string(i));
      }
      s.agents.push_back(std::move(a));
    }
  }
  measure(state, s, engine::run_mode::parallel, arg(state, 1) == 1);
}

void phase_sizes(benchmark::internal::Benchmark* b) {
  for (int n : {1, 3, 5, 10, 15, 50, 100}) {
    b->Arg(n);
  }
  b->ArgName("agents")->UseRealTime()->Unit(benchmark::kMillisecond);
}

void limits(benchmark::internal::Benchmark* b) {
  b->ArgName("limit")->Arg(10)->Arg(50)->Arg(100)->Arg(0);
  b->Iterations(2)->UseRealTime()->Unit(benchmark::kMillisecond);
}
void sequential_then_parallel(benchmark::internal::Benchmark* b) {
  b->ArgName("parallel")
      ->Arg(0)
      ->Arg(1)
      ->Iterations(3)
      ->UseRealTime()
      ->Unit(benchmark::kMillisecond);
}

} // namespace
} // namespace tutti::bench

using namespace tutti::bench;

BENCHMARK(s1_sequential)->Apply(phase_sizes)->Iterations(1);
BENCHMARK(s1_parallel)->Apply(phase_sizes)->Iterations(3);
BENCHMARK(s1_capped)->Apply(phase_sizes)->Iterations(1);
BENCHMARK(s2_five_steps)
    ->ArgName("cap")
    ->Arg(0)
    ->Arg(2)
    ->Arg(5)
    ->Arg(10)
    ->Iterations(3)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(s3_limiter)->Apply(limits);
BENCHMARK(s3_limiter_in_process)->Apply(limits);
BENCHMARK(s4_retrieval_then_generation)->Apply(sequential_then_parallel);
BENCHMARK(s4_three_models_then_compare)->Apply(sequential_then_parallel);
BENCHMARK(s5_local_server)
    ->ArgNames({"limit", "requests"})
    ->Args({1, 6})
    ->Args({1, 12})
    ->Args({1, 20})
    ->Args({4, 20})
    ->Args({6, 20})
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(s6_mixed)->Iterations(3)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(s7_http)
    ->ArgName("agents")
    ->Arg(1)
    ->Arg(100)
    ->Arg(1000)
    ->Iterations(3)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(s8_scale)
    ->ArgNames({"agents", "latency_ms"})
    ->Args({10'000, 0})
    ->Args({100'000, 0})
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(s8_process)
    ->ArgName("agents")
    ->Arg(1'000)
    ->Arg(10'000)
    ->Arg(100'000)
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(s9_store)
    ->ArgNames({"phases", "store"})
    ->Args({1, 0})
    ->Args({1, 1})
    ->Args({10, 0})
    ->Args({10, 1})
    ->Iterations(10)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
