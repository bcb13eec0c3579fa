#include "scenario.hpp"

#include <tutti/definition/config_loader.hpp>
#include <tutti/definition/ensemble_parser.hpp>
#include <tutti/mock_server/mock_server.hpp>
#include <tutti/store/fingerprint.hpp>
#include <tutti/store/store_recorder.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <numeric>
#include <optional>
#include <set>
#include <sys/resource.h>
#include <unistd.h>

namespace tutti::bench {
namespace {

bool is_http(const std::string& backend) {
  return backend.rfind("http", 0) == 0;
}

} // namespace

std::string config_text(const scenario& s) {
  std::string text = "[limits]\nmax_concurrent_llm_calls = 1000000\n";
  std::set<std::string> backends;
  for (const auto& a : s.agents) {
    backends.insert(a.backend);
  }
  for (const auto& b : backends) {
    if (b == "mock") {
      continue; // built in, unlimited
    }
    text += "[backends." + b + "]\n";
    text += is_http(b) ? "provider = \"openai\"\nresource = \"remote-server\"\nbase_url = \"" +
                             mock_server_url() + "\"\n"
                       : "provider = \"mock\"\nresource = \"local-server\"\n";
    auto limit = s.backend_limits.find(b);
    text += "max_concurrent = " +
            (limit == s.backend_limits.end() ? std::string{"\"unlimited\""}
                                             : std::to_string(limit->second)) +
            "\n";
  }
  return text;
}

std::string ensemble_text(const scenario& s) {
  std::string text = "name = \"scenario\"\ntimeout_seconds = 3600\nmax_concurrent_agents = " +
                     std::to_string(s.max_concurrent_agents) + "\n";
  for (const auto& a : s.agents) {
    const auto latency = std::to_string(std::lround(a.latency_ms));
    text += "[[agents]]\nname = \"" + a.name + "\"\nbackend = \"" + a.backend +
            "\"\ntimeout_seconds = 3600\n";
    text += is_http(a.backend) ? "model = \"sleep-" + latency + "\"\n"
                               : "mock = { latency_ms = " + latency + " }\n";
    if (!a.depends_on.empty()) {
      text += "depends_on = [";
      for (const auto& d : a.depends_on) {
        text += "\"" + d + "\", ";
      }
      text += "]\n";
    }
  }
  return text;
}

// Linux keeps the peak resident size (VmHWM) per process; writing 5 to clear_refs resets it
// to the current size, so that each benchmark sees its own peak.
void reset_peak_memory() {
  std::ofstream{"/proc/self/clear_refs"} << "5";
}

double peak_memory_mb() {
  std::ifstream status{"/proc/self/status"};
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) {
      return std::stod(line.substr(6)) / 1024.0;
    }
  }
  return 0;
}

double cpu_ms() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e3 +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e3;
}

scenario independent(int count, double latency_ms, const std::string& backend) {
  scenario s;
  for (int i = 0; i < count; ++i) {
    s.agents.push_back({"a" + std::to_string(i), backend, latency_ms, {}});
  }
  return s;
}

double ideal_ms(const scenario& s) {
  const auto n = s.agents.size();
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < n; ++i) {
    index[s.agents[i].name] = i;
  }
  std::vector<double> finish(n, -1);
  std::vector<std::size_t> waiting(n); // not started yet, in definition order
  std::iota(waiting.begin(), waiting.end(), std::size_t{0});
  std::multimap<double, std::size_t> running;
  std::map<std::string, int> in_flight;
  double now = 0;
  std::size_t done = 0;
  while (done < n) {
    auto still_waiting = waiting.begin();
    for (auto i : waiting) {
      const auto& a = s.agents[i];
      auto limit = s.backend_limits.find(a.backend);
      const bool ready = std::all_of(a.depends_on.begin(), a.depends_on.end(), [&](auto& d) {
        auto f = finish[index.at(d)];
        return f >= 0 && f <= now;
      });
      if (ready && running.size() < static_cast<std::size_t>(s.max_concurrent_agents) &&
          (limit == s.backend_limits.end() || in_flight[a.backend] < limit->second)) {
        ++in_flight[a.backend];
        running.emplace(now + a.latency_ms, i);
      } else {
        *still_waiting++ = i;
      }
    }
    waiting.erase(still_waiting, waiting.end());
    auto first = running.begin();
    now = first->first;
    finish[first->second] = now;
    --in_flight[s.agents[first->second].backend];
    running.erase(first);
    ++done;
  }
  return now;
}

double sequential_ms(const scenario& s) {
  double sum = 0;
  for (const auto& a : s.agents) {
    sum += a.latency_ms;
  }
  return sum;
}

std::string mock_server_url() {
  if (const char* url = std::getenv("TUTTI_BENCH_SERVER")) {
    return url;
  }
  static mock_server::server in_process;
  return in_process.base_url();
}

scenario_run::scenario_run(const scenario& s)
    : scenario_(s), config_(definition::parse_config(config_text(s), "bench.toml",
                                                     definition::fixed_environment({}))
                                .value()),
      ensemble_(definition::resolve(
                    definition::parse_ensemble(ensemble_text(s), "scenario.toml").value(), config_)
                    .value()),
      engine_(config_) {}

engine::run_result scenario_run::run(engine::run_options options) {
  return engine_.run(ensemble_, "benchmark input", std::move(options));
}

namespace {

// A run store of its own for one benchmark iteration, removed afterwards.
class scratch_store {
 public:
  explicit scratch_store(const definition::resolved_ensemble& e)
      : path_(std::filesystem::temp_directory_path() /
              ("tutti-bench-" + std::to_string(getpid()) + ".db")),
        writer_(
            std::make_shared<store::store_writer>(store::run_store::open(path_).value(), nullptr)),
        recorder_(std::make_shared<store::run_recorder>(writer_, store::origin_of(e))) {}
  ~scratch_store() {
    writer_.reset();
    recorder_.reset();
    for (auto suffix : {"", "-wal", "-shm"}) {
      std::filesystem::remove(path_.string() + suffix);
    }
  }
  std::shared_ptr<engine::run_observer> observer() const { return recorder_; }
  void flush() { writer_->flush(); }

 private:
  std::filesystem::path path_;
  std::shared_ptr<store::store_writer> writer_;
  std::shared_ptr<store::run_recorder> recorder_;
};

} // namespace

engine::run_result measure(benchmark::State& state, const scenario& s, engine::run_mode mode,
                           bool kept) {
  scenario_run runner{s};
  reset_peak_memory();
  double wall = 0;
  double cpu = 0;
  double waited_for_store = 0;
  engine::run_result last;
  for (auto _ : state) {
    state.PauseTiming();
    std::optional<scratch_store> store;
    engine::run_options options;
    options.mode = mode;
    if (kept) {
      store.emplace(runner.ensemble());
      options.observer = store->observer();
    }
    state.ResumeTiming();
    const auto cpu_before = cpu_ms();
    const auto started = std::chrono::steady_clock::now();
    last = runner.run(options);
    if (store) {
      store->flush();
    }
    cpu += cpu_ms() - cpu_before;
    // The run's own clock, plus the wait for the store's last commit after it.
    const auto ended_late =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count() -
        last.elapsed_ms;
    const auto store_wait = store ? std::max(ended_late, 0.0) : 0.0;
    wall += last.elapsed_ms + store_wait;
    waited_for_store += store_wait;
    if (last.status != engine::run_status::completed) {
      state.SkipWithError(("run ended " + std::string{engine::to_string(last.status)}).c_str());
      return last;
    }
  }
  const auto runs = static_cast<double>(state.iterations());
  const auto agents = static_cast<double>(s.agents.size());
  const double wall_ms = wall / runs;
  const double ideal = mode == engine::run_mode::sequential ? sequential_ms(s) : bench::ideal_ms(s);
  state.counters["agents"] = agents;
  state.counters["wall_ms"] = wall_ms;
  state.counters["ideal_ms"] = ideal;
  state.counters["sequential_ms"] = sequential_ms(s);
  state.counters["speedup"] = sequential_ms(s) / wall_ms;
  state.counters["efficiency"] = ideal / wall_ms;
  state.counters["overhead_us_per_agent"] = (wall_ms - ideal) * 1000.0 / agents;
  state.counters["cpu_ms"] = cpu / runs;
  state.counters["peak_mb"] = peak_memory_mb();
  if (kept) {
    state.counters["store_wait_ms"] = waited_for_store / runs; // after the run, for the store
  }
  return last;
}

} // namespace tutti::bench
