// The floors under scenarios 7 and 8: what the shape tutti keeps costs before tutti does
// anything. An agent is a CAF actor, so no engine can run a zero-latency agent faster than
// CAF 0.17 spawns an actor that asks another one and reports, nor hold one in less memory
// than an idle actor takes; and no HTTP client spends less CPU than one thread of plain asio
// that opens, writes, reads and closes a connection. The report sets tutti beside these.
#include "scenario.hpp"

#include <tutti/definition/server_url.hpp>

#include <boost/asio.hpp>
#include <caf/all.hpp>

#include <chrono>
#include <fstream>
#include <future>
#include <thread>

namespace tutti::bench {
namespace {

using steady = std::chrono::steady_clock;

// The engine's scheduler settings (engine.cpp): a shared queue, one worker per core.
struct floor_config : caf::actor_system_config {
  floor_config() {
    set("scheduler.max-threads", std::max(1U, std::thread::hardware_concurrency()));
    set("scheduler.policy", caf::atom("sharing"));
  }
};

// Resident memory now, in KiB.
double resident_kib() {
  std::ifstream status{"/proc/self/status"};
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      return std::stod(line.substr(6));
    }
  }
  return 0;
}

// `count` actors, each spawned by one coordinator, asking a shared actor once and reporting the
// answer to the coordinator before it quits: the least an agent does.
double spawn_ask_report_ms(caf::actor_system& system, int count) {
  std::promise<void> done;
  auto all_done = done.get_future();
  auto answerer = system.spawn([]() -> caf::behavior { return {[](int x) { return x + 1; }}; });
  const auto began = steady::now();
  system.spawn([count, answerer, &done](caf::event_based_actor* self) -> caf::behavior {
    for (int i = 0; i < count; ++i) {
      self->spawn([i, answerer, coordinator = caf::actor_cast<caf::actor>(self)](
                      caf::event_based_actor* agent) -> caf::behavior {
        agent->request(answerer, caf::infinite, i).then([agent, coordinator](int answer) {
          agent->send(coordinator, answer, true);
          agent->quit();
        });
        return {[](int) {}};
      });
    }
    auto left = std::make_shared<int>(count);
    return {[self, left, &done](int, bool) {
      if (--*left == 0) {
        done.set_value();
        self->quit();
      }
    }};
  });
  all_done.wait();
  const auto ms = std::chrono::duration<double, std::milli>(steady::now() - began).count();
  caf::anon_send_exit(answerer, caf::exit_reason::user_shutdown);
  return ms;
}

// Resident memory per idle actor, with `count` of them alive at once.
double idle_actor_kib(caf::actor_system& system, int count) {
  std::vector<caf::actor> alive;
  alive.reserve(static_cast<std::size_t>(count));
  const auto before = resident_kib();
  for (int i = 0; i < count; ++i) {
    alive.push_back(system.spawn([]() -> caf::behavior { return {[](int) {}}; }));
  }
  const auto kib = (resident_kib() - before) / count;
  for (const auto& a : alive) {
    caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  }
  return kib;
}

void floor_actors(benchmark::State& state) {
  const auto count = static_cast<int>(state.range(0));
  floor_config cfg;
  caf::actor_system system{cfg};
  double ms = 0;
  for (auto _ : state) {
    ms = spawn_ask_report_ms(system, count);
    state.SetIterationTime(ms / 1e3);
  }
  state.counters["agents"] = count;
  state.counters["us_per_agent"] = 1e3 * ms / count;
  state.counters["kb_per_idle_actor"] = idle_actor_kib(system, count);
}

// One call as the asyncio baseline makes it: a new connection, the request, the whole answer
// until the server closes.
struct plain_call : std::enable_shared_from_this<plain_call> {
  plain_call(boost::asio::io_context& io, std::string r, int& ok)
      : socket(io), request(std::move(r)), succeeded(ok) {}

  void start(const boost::asio::ip::tcp::endpoint& server) {
    socket.async_connect(server, [self = shared_from_this()](boost::system::error_code ec) {
      if (!ec) {
        boost::asio::async_write(self->socket, boost::asio::buffer(self->request),
                                 [self](boost::system::error_code e, std::size_t) {
                                   if (!e) {
                                     self->read();
                                   }
                                 });
      }
    });
  }
  void read() {
    socket.async_read_some(
        boost::asio::buffer(chunk),
        [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
          self->answer.append(self->chunk.data(), n);
          if (!ec) {
            self->read();
          } else if (self->answer.rfind("HTTP/1.1 200", 0) == 0) {
            ++self->succeeded;
          }
        });
  }

  boost::asio::ip::tcp::socket socket;
  std::string request;
  std::array<char, 4096> chunk{};
  std::string answer;
  int& succeeded;
};

std::string chat_request(const std::string& host, int i) {
  const auto body = R"({"model":"sleep-100","messages":[{"role":"user","content":"agent )" +
                    std::to_string(i) + R"("}],"stream":false})";
  return "POST /v1/chat/completions HTTP/1.1\r\nHost: " + host +
         "\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

void floor_http(benchmark::State& state) {
  const auto count = static_cast<int>(state.range(0));
  const auto url = definition::parse_server_url(mock_server_url()).value();
  const boost::asio::ip::tcp::endpoint server{boost::asio::ip::make_address(url.host), url.port};
  boost::asio::io_context io;
  double cpu = 0;
  double wall = 0;
  int succeeded = 0;
  for (auto _ : state) {
    succeeded = 0;
    const auto cpu_before = cpu_ms();
    const auto began = steady::now();
    for (int i = 0; i < count; ++i) {
      std::make_shared<plain_call>(io, chat_request(url.host_header(), i), succeeded)
          ->start(server);
    }
    io.restart();
    io.run();
    wall = std::chrono::duration<double, std::milli>(steady::now() - began).count();
    cpu = cpu_ms() - cpu_before;
    state.SetIterationTime(wall / 1e3);
  }
  if (succeeded != count) {
    state.SkipWithError("some calls to the mock server failed");
  }
  state.counters["agents"] = count;
  state.counters["cpu_ms"] = cpu;
  state.counters["wall_ms"] = wall;
}

} // namespace
} // namespace tutti::bench

using namespace tutti::bench;

BENCHMARK(floor_actors)
    ->ArgName("agents")
    ->Arg(10'000)
    ->Arg(100'000)
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(floor_http)
    ->ArgName("agents")
    ->Arg(1'000)
    ->Iterations(3)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);
