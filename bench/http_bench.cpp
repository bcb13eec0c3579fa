// The network path: agents against the mock server over HTTP on loopback. 1000 agents of
// 200 ms all in parallel (wall time, CPU time, peak memory), and requests per second through
// the client's keep-alive pool with no latency.
#include <tutti/definition/config_loader.hpp>
#include <tutti/definition/ensemble_parser.hpp>
#include <tutti/engine/engine.hpp>
#include <tutti/mock_server/mock_server.hpp>

#include <benchmark/benchmark.h>

#include <sys/resource.h>

namespace {

using namespace tutti;

definition::resolved_ensemble agents_on(const mock_server::server& server, int agents,
                                        const std::string& model, int cap) {
  auto config = definition::parse_config(
                    "[limits]\nmax_concurrent_llm_calls = 100000\n[backends.mock-http]\n"
                    "provider = \"openai\"\nresource = \"remote-server\"\nbase_url = \"" +
                        server.base_url() + "\"\n",
                    "bench", definition::fixed_environment({}))
                    .value();
  std::string text =
      "name = \"http\"\ntimeout_seconds = 600\nmax_concurrent_agents = " + std::to_string(cap) +
      "\n";
  for (int i = 0; i < agents; ++i) {
    text += "[[agents]]\nname = \"a" + std::to_string(i) +
            "\"\nbackend = \"mock-http\"\nmodel = \"" + model + "\"\n";
  }
  return definition::resolve(definition::parse_ensemble(text, "bench.toml").value(), config)
      .value();
}

double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

void run_over_http(benchmark::State& state, const std::string& model, int cap) {
  const auto agents = static_cast<int>(state.range(0));
  mock_server::server server;
  const auto ensemble = agents_on(server, agents, model, cap);
  engine::engine e{definition::parse_config("[limits]\nmax_concurrent_llm_calls = 100000\n",
                                            "bench", definition::fixed_environment({}))
                       .value()};
  double cpu = 0;
  for (auto _ : state) {
    const auto cpu_before = cpu_seconds();
    auto r = e.run(ensemble, "benchmark input");
    cpu += cpu_seconds() - cpu_before;
    if (r.status != engine::run_status::completed) {
      state.SkipWithError(("run ended " + std::string{engine::to_string(r.status)}).c_str());
    }
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  state.counters["cpu_s_per_run"] = cpu / static_cast<double>(state.iterations());
  state.counters["peak_rss_mb"] = static_cast<double>(usage.ru_maxrss) / 1024.0;
  state.counters["requests_per_s"] = benchmark::Counter(
      static_cast<double>(agents), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["server_peak_in_flight"] =
      static_cast<double>(server.of_model(model).peak_in_flight);
}

// 1000 agents, 200 ms each, all at once: the ideal wall time is 200 ms.
void parallel_200ms(benchmark::State& state) {
  run_over_http(state, "sleep-200", static_cast<int>(state.range(0)));
}

// No latency and 50 agents in flight: how many requests the client pool carries per second.
void throughput(benchmark::State& state) {
  run_over_http(state, "echo", 50);
}

} // namespace

BENCHMARK(parallel_200ms)
    ->Arg(1)
    ->Arg(100)
    ->Arg(1000)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(throughput)->Arg(2000)->UseRealTime()->Unit(benchmark::kMillisecond);
