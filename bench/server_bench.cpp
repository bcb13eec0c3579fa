// 10. tutti serve: runs per second and the latency of one run through the server (the OpenAI
// endpoint, one request per run) beside the same runs in-process; and 1,000 clients following
// one run's Server-Sent Events. The mock agents answer in about a millisecond, so what is
// measured is the server's own cost.
#include "scenario.hpp"
#include "support/http_fetch.hpp"

#include <tutti/definition/config_loader.hpp>
#include <tutti/definition/ensemble_parser.hpp>
#include <tutti/server/http_server.hpp>
#include <tutti/server/run_service.hpp>

#include <nlohmann/json.hpp>

#include <atomic>
#include <condition_variable>
#include <thread>

namespace tutti::bench {
namespace {

constexpr int runs_per_iteration = 400;
constexpr int sse_clients = 1000;

// One mock agent of 1 ms ("tiny"), and ten that stream their answers ("chorus").
server::library served() {
  auto config = definition::parse_config("[limits]\nmax_concurrent_llm_calls = 1000\n",
                                         "tutti.toml", definition::fixed_environment({}));
  server::library lib{std::move(config).value(), {}};
  std::string chorus = "name = \"chorus\"\n";
  for (int i = 0; i < 10; ++i) {
    chorus += "[[agents]]\nname = \"voice" + std::to_string(i) +
              "\"\nprovider = \"mock\"\nmock = { latency_ms = 200 }\n";
  }
  for (const auto& text :
       {std::string{"name = \"tiny\"\n[[agents]]\nname = \"one\"\nprovider = \"mock\"\n"
                    "mock = { latency_ms = 1 }\n"},
        chorus}) {
    auto e = definition::parse_ensemble(text, "bench.toml");
    auto resolved = definition::resolve(*e, lib.config);
    lib.ensembles.emplace(resolved->name, std::move(resolved).value());
  }
  return lib;
}

struct served_engine {
  served_engine()
      : service({}, served(), {}, {}, nullptr), http(service,
                                                     [] {
                                                       server::http_settings s;
                                                       s.port = 0;
                                                       return s;
                                                     }()),
        url("http://127.0.0.1:" + std::to_string(http.port())) {}
  server::run_service service;
  server::http_server http;
  std::string url;
};

std::string completion_request(int client, int run) {
  return nlohmann::json{
      {"model", "ensemble/tiny"},
      {"messages",
       {{{"role", "user"},
         {"content", "client " + std::to_string(client) + " run " + std::to_string(run)}}}}}
      .dump();
}

// server:0 runs the ensemble through the server's run service in this process (the same
// engine, records and events), server:1 asks the server for it over HTTP; `clients` threads
// share the runs.
void server_runs(benchmark::State& state) {
  const bool through_server = state.range(0) == 1;
  const int clients = static_cast<int>(state.range(1));
  served_engine s;
  std::atomic<double> latency_total_ms{0};
  std::atomic<int> failures{0};
  auto one_run = [&](test::http_fetch& fetch, int c, int r) {
    if (through_server) {
      return fetch("POST", "/v1/chat/completions", completion_request(c, r)).status == 200;
    }
    server::run_request request;
    request.ensemble = "tiny";
    request.input = "client " + std::to_string(c) + " run " + std::to_string(r);
    auto taken = s.service.submit(std::move(request));
    const auto* record = std::get_if<std::shared_ptr<server::run_record>>(&taken);
    return record != nullptr && (*record)->wait().status == engine::run_status::completed;
  };
  {
    // Neither engine has run anything yet: the first runs spawn threads and open connections.
    test::http_fetch fetch{s.url};
    for (int r = 0; r < 50; ++r) {
      one_run(fetch, 0, r);
    }
  }
  const double cpu_before = cpu_ms();
  for (auto _ : state) {
    std::vector<std::thread> threads;
    for (int c = 0; c < clients; ++c) {
      threads.emplace_back([&, c] {
        test::http_fetch fetch{s.url};
        for (int r = 0; r < runs_per_iteration / clients; ++r) {
          const auto began = std::chrono::steady_clock::now();
          const bool ok = one_run(fetch, c, r);
          failures += ok ? 0 : 1;
          const std::chrono::duration<double, std::milli> took =
              std::chrono::steady_clock::now() - began;
          latency_total_ms = latency_total_ms + took.count();
        }
      });
    }
    for (auto& t : threads) {
      t.join();
    }
  }
  const double runs = static_cast<double>(state.iterations()) * runs_per_iteration;
  if (failures > 0) {
    state.SkipWithError("some runs failed");
  }
  state.counters["runs_per_s"] = benchmark::Counter(runs, benchmark::Counter::kIsRate);
  state.counters["latency_ms"] = latency_total_ms / runs;
  state.counters["cpu_us_per_run"] = 1000 * (cpu_ms() - cpu_before) / runs;
}

// 1,000 clients follow one run of ten streaming agents from its start; the time from the
// run's end until the last client has its last event.
void server_sse(benchmark::State& state) {
  served_engine s;
  providers::io_thread io;
  providers::http_client_settings settings;
  providers::http_client client{io, settings};
  double after_end_total_ms = 0;
  double events_total = 0;
  int failures = 0;
  for (auto _ : state) {
    server::run_request request;
    request.ensemble = "chorus";
    request.input = "sing";
    auto record = std::get<std::shared_ptr<server::run_record>>(s.service.submit(request));
    std::mutex mutex;
    std::condition_variable all_done;
    int done = 0;
    std::vector<std::size_t> events(sse_clients, 0);
    std::vector<char> last_byte(sse_clients, 0); // an event's blank line may span two reads
    std::chrono::steady_clock::time_point last_done;
    providers::http_deadlines deadlines;
    deadlines.total = std::chrono::seconds{60};
    for (int c = 0; c < sse_clients; ++c) {
      providers::http_call call;
      call.method = "GET";
      call.target = "/v1/runs/" + record->id() + "/events";
      client.send(
          s.url, call, deadlines,
          [&events, &last_byte, c](std::string_view bytes) {
            for (char b : bytes) {
              events[c] += b == '\n' && last_byte[c] == '\n' ? 1 : 0;
              last_byte[c] = b == '\n' && last_byte[c] == '\n' ? 0 : b;
            }
          },
          [&](providers::http_result r) {
            std::lock_guard lock{mutex};
            failures += r.error ? 1 : 0;
            last_done = std::chrono::steady_clock::now();
            if (++done == sse_clients) {
              all_done.notify_all();
            }
          });
    }
    record->wait();
    const auto run_end = std::chrono::steady_clock::now();
    std::unique_lock lock{mutex};
    all_done.wait(lock, [&] { return done == sse_clients; });
    after_end_total_ms +=
        std::max(0.0, std::chrono::duration<double, std::milli>(last_done - run_end).count());
    for (auto n : events) {
      events_total += static_cast<double>(n);
    }
  }
  if (failures > 0) {
    state.SkipWithError("some streams failed");
  }
  const auto n = static_cast<double>(state.iterations());
  state.counters["clients"] = sse_clients;
  state.counters["events_per_client"] = events_total / n / sse_clients;
  state.counters["last_event_after_end_ms"] = after_end_total_ms / n;
}

} // namespace
} // namespace tutti::bench

using namespace tutti::bench;

BENCHMARK(server_runs)
    ->ArgNames({"server", "clients"})
    ->Args({0, 1})
    ->Args({1, 1})
    ->Args({0, 8})
    ->Args({1, 8})
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(server_sse)->Iterations(3)->UseRealTime()->Unit(benchmark::kMillisecond);
