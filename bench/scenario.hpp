// One benchmark scenario: agents with a latency each, dependencies, a cap on agents in flight
// and limits on backends; its ideal wall time (the critical path under those limits, with no
// overhead at all), and how a run of it is measured. Every number the report shows comes from
// the counters set here.
#pragma once

#include <tutti/definition/resolved_ensemble.hpp>
#include <tutti/engine/engine.hpp>

#include <benchmark/benchmark.h>

#include <map>
#include <string>
#include <vector>

namespace tutti::bench {

/// Published latencies are scaled down by this factor (2 s become 100 ms).
constexpr double time_scale = 20.0;

struct scenario_agent {
  std::string name;
  std::string backend; // "mock" (in-process), "http" (the mock server), or a limited one
  double latency_ms = 100;
  std::vector<std::string> depends_on;
};

struct scenario {
  std::vector<scenario_agent> agents;
  int max_concurrent_agents = 1'000'000;
  std::map<std::string, int> backend_limits; // backend -> requests in flight; absent: none
};

/// `count` independent agents of `latency_ms` on `backend`.
scenario independent(int count, double latency_ms, const std::string& backend = "mock");

/// The wall time with no overhead: agents start, in definition order, as soon as their
/// dependencies are done and the caps allow.
double ideal_ms(const scenario& s);
/// The sum of all latencies: what one agent at a time needs.
double sequential_ms(const scenario& s);

/// The configuration and the ensemble file for `s`, as a user would write them.
std::string config_text(const scenario& s);
std::string ensemble_text(const scenario& s);

/// The mock server the HTTP scenarios talk to: TUTTI_BENCH_SERVER (a `tutti mock-server`
/// in a process of its own, so that its CPU time is not counted), else one in this process.
std::string mock_server_url();

/// Builds the configuration and ensemble for `s` and an engine for them.
class scenario_run {
 public:
  explicit scenario_run(const scenario& s);
  engine::run_result run(engine::run_options options);
  const scenario& definition() const { return scenario_; }
  const definition::resolved_ensemble& ensemble() const { return ensemble_; }

 private:
  scenario scenario_;
  definition::config config_;
  definition::resolved_ensemble ensemble_;
  engine::engine engine_;
};

/// This process's user and system time so far.
double cpu_ms();
/// This process's peak resident memory since it started or since the last reset.
double peak_memory_mb();
/// Makes the current resident memory the peak (and so the peak a spawned process starts from).
void reset_peak_memory();

/// Runs `s` once per benchmark iteration and sets the counters every scenario reports: wall,
/// ideal, speedup over sequential (the sum of latencies), efficiency (ideal / wall), engine
/// overhead per agent, CPU time per run and peak memory. With `kept`, each run is recorded in
/// a new run store (a file in the temporary folder), and its wall time lasts until the
/// store's last commit. Returns the last result.
engine::run_result measure(benchmark::State& state, const scenario& s,
                           engine::run_mode mode = engine::run_mode::parallel, bool kept = false);

} // namespace tutti::bench
