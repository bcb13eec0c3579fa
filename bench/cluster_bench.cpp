// 11. The cluster: admission round trips through a group another node holds (over loopback,
// CAF's network layer) beside the same group held in-process, one request at a time (the
// latency a waiting agent adds) and 100 at once; then 1,000 agents of 10 ms in two runs that
// share one group of limit 4, against the ideal (1,000 x 10 ms / 4): on two nodes with the
// group held by a third, beside both runs on the group's own node.
#include "admission_driver.hpp"
#include "remote_group_actor.hpp"

#include <tutti/cluster/cluster_node.hpp>
#include <tutti/definition/config_loader.hpp>
#include <tutti/definition/ensemble_parser.hpp>
#include <tutti/engine/actors.hpp>
#include <tutti/mock_server/mock_server.hpp>

#include <benchmark/benchmark.h>
#include <caf/io/all.hpp>

#include <chrono>

namespace tutti::bench {
namespace {

constexpr int agents_per_node = 500;
constexpr int agent_ms = 10;
constexpr int shared_limit = 4;

// One local server, "box", at `url`, taking `limit` requests at once.
definition::config box_config(const std::string& url, int limit) {
  auto c = definition::parse_config(
      "[limits]\nmax_concurrent_llm_calls = 10000\n"
      "[backends.box]\nprovider = \"ollama\"\nbase_url = \"" +
          url + "\"\nresource = \"local-server\"\nmax_concurrent = " + std::to_string(limit) + "\n",
      "tutti.toml", definition::fixed_environment({}));
  return std::move(c).value();
}

// A node's engine options; it takes the box's group from the authority at `authority_port`,
// or, without one, holds it (and can publish it).
engine::engine_options node(std::optional<std::uint16_t> authority_port) {
  engine::engine_options options;
  options.worker_threads = 2;
  cluster::node_settings settings;
  if (authority_port) {
    settings.cluster.authority = definition::node_address{"127.0.0.1", *authority_port};
  }
  cluster::make_node(options, settings);
  return options;
}

void cluster_admission(benchmark::State& state) {
  const bool is_remote = state.range(0) != 0;
  const int requests = static_cast<int>(state.range(1));
  const std::string url = "http://127.0.0.1:9"; // never called: admission alone
  engine::engine authority{box_config(url, 1'000'000), node(std::nullopt)};
  cluster::published_authority published{authority, "127.0.0.1", 0, false};
  engine::engine member{box_config(url, 1'000'000), node(published.port())};
  auto& system = engine::actor_system_of(is_remote ? member : authority);
  auto group =
      caf::actor_cast<engine::resource_actor_type>(*engine::own_group_actor(authority, url, ""));
  if (is_remote) {
    cluster::remote_group_config cfg;
    cfg.group_id = url;
    cfg.server = url;
    cfg.authority = {"127.0.0.1", published.port()};
    cfg.connector = caf::actor_cast<cluster::connector_type>(system.middleman().actor_handle());
    group = caf::actor_cast<engine::resource_actor_type>(
        system.spawn(cluster::remote_group_actor, std::move(cfg)));
  }
  auto drive = system.spawn(admission_driver, group, std::vector<caf::actor>{}, requests);
  caf::scoped_actor self{system};
  auto round = [&] {
    self->request(drive, caf::infinite, done_atom::value)
        .receive([](done_atom) {}, [](caf::error&) {});
  };
  round(); // the first connects
  for (auto _ : state) {
    round();
  }
  state.counters["us_per_request"] = benchmark::Counter(
      static_cast<double>(requests) * 1e-6,
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
  self->send_exit(drive, caf::exit_reason::user_shutdown);
  if (is_remote) {
    self->send_exit(group, caf::exit_reason::user_shutdown);
  }
}

void cluster_two_runs(benchmark::State& state) {
  const bool on_nodes = state.range(0) != 0;
  mock_server::server backend;
  const auto url = backend.base_url();
  engine::engine authority{box_config(url, shared_limit), node(std::nullopt)};
  cluster::published_authority published{authority, "127.0.0.1", 0, false};
  engine::engine first{box_config(url, shared_limit), node(published.port())};
  engine::engine second{box_config(url, shared_limit), node(published.port())};
  std::string text = "name = \"wide\"\nmax_concurrent_agents = 1000\n";
  for (int i = 0; i < agents_per_node; ++i) {
    text += "[[agents]]\nname = \"a" + std::to_string(i) +
            "\"\nbackend = \"box\"\nmodel = \"sleep-" + std::to_string(agent_ms) + "\"\n";
  }
  const auto config = box_config(url, shared_limit);
  auto e = definition::resolve(*definition::parse_ensemble(text, "wide.toml"), config).value();
  double wall_ms = 0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    auto a = (on_nodes ? first : authority).start(e, "first");
    auto b = (on_nodes ? second : authority).start(e, "second");
    const bool is_complete = a.wait().status == engine::run_status::completed &&
                             b.wait().status == engine::run_status::completed;
    wall_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (!is_complete) {
      state.SkipWithError("a run did not complete");
      return;
    }
  }
  const double ideal_ms = 2.0 * agents_per_node * agent_ms / shared_limit;
  state.counters["wall_ms"] = wall_ms;
  state.counters["ideal_ms"] = ideal_ms;
  state.counters["wall_over_ideal"] = wall_ms / ideal_ms;
  state.counters["server_peak_in_flight"] = static_cast<double>(backend.overall().peak_in_flight);
}

} // namespace

// Args: remote (0: the group in-process, 1: through the authority over loopback), requests.
BENCHMARK(cluster_admission)
    ->Args({0, 1})
    ->Args({1, 1})
    ->Args({0, 100})
    ->Args({1, 100})
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);
// Arg: nodes (0: both runs on the node that holds the group, 1: on two other nodes).
BENCHMARK(cluster_two_runs)
    ->Arg(0)
    ->Arg(1)
    ->Iterations(2)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

} // namespace tutti::bench
