// What keeping a run costs the store itself: writing N agents' results to a run store file,
// one transaction for all (as the writer does when they end together) or one each (as when
// they end apart), and the run's end row.
#include <tutti/store/run_store.hpp>

#include <benchmark/benchmark.h>

#include <filesystem>
#include <unistd.h>

namespace {

using namespace tutti;

engine::run_result run_of(int agents) {
  engine::run_result r;
  r.id = "bench";
  r.ensemble = "bench";
  r.phases.emplace_back();
  for (int i = 0; i < agents; ++i) {
    engine::agent_result a;
    a.name = "a" + std::to_string(i);
    a.status = engine::agent_status::success;
    a.response = std::string(200, 'r');
    a.provider = a.model = a.backend = a.group = "mock";
    a.started_ms = 1;
    a.finished_ms = 101;
    a.duration_ms = 100;
    a.attempts = 1;
    r.agents.push_back(a);
    r.phases[0].push_back(a.name);
  }
  return r;
}

void store_agents(benchmark::State& state) {
  const auto agents = static_cast<int>(state.range(0));
  const bool one_transaction = state.range(1) == 1;
  const auto run = run_of(agents);
  const auto path =
      std::filesystem::temp_directory_path() / ("tutti-store-bench-" + std::to_string(getpid()));
  int round = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto s = store::run_store::open(path).value();
    auto r = run;
    r.id = std::to_string(++round);
    (void)s->begin_run(r, {"bench.toml", "h", std::vector<std::string>(r.agents.size(), "h")});
    state.ResumeTiming();
    auto save_all = [&]() -> std::optional<store::store_error> {
      for (std::size_t i = 0; i < r.agents.size(); ++i) {
        if (auto e = s->save_agent(r.id, i, r.agents[i])) {
          return e;
        }
      }
      return std::nullopt;
    };
    if (one_transaction) {
      (void)s->in_one_transaction(save_all);
    } else {
      (void)save_all();
    }
    (void)s->finish_run(r);
  }
  for (auto suffix : {"", "-wal", "-shm"}) {
    std::filesystem::remove(path.string() + suffix);
  }
  state.counters["us_per_agent"] = benchmark::Counter(
      static_cast<double>(agents) * 1e-6,
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

} // namespace

BENCHMARK(store_agents)
    ->ArgNames({"agents", "one_transaction"})
    ->Args({1000, 1})
    ->Args({1000, 0})
    ->Unit(benchmark::kMillisecond);
