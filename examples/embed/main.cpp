// Embedding tutti: an ensemble built in code (no file), run on the mock backend, with events
// printed as they arrive and the result at the end.
#include <tutti/definition/config_builder.hpp>
#include <tutti/definition/ensemble_builder.hpp>
#include <tutti/engine/engine.hpp>
#include <tutti/engine/run_json.hpp>

#include <iostream>
#include <mutex>

namespace def = tutti::definition;
namespace eng = tutti::engine;
using namespace std::chrono_literals;

namespace {

def::mock_settings answers_after(std::chrono::milliseconds latency) {
  def::mock_settings mock;
  mock.latency = latency;
  return mock;
}

void print(const eng::run_event& e) {
  static std::mutex mutex; // events of one run come one at a time; be safe for several runs
  std::lock_guard lock{mutex};
  std::cout << "[" << static_cast<int>(e.at_ms) << " ms] " << e.agent << ": ";
  switch (e.kind) {
  case eng::run_event_kind::queued:
    std::cout << "queued";
    break;
  case eng::run_event_kind::waiting:
    std::cout << "waiting for " << e.group << " (" << e.ahead << " ahead)";
    break;
  case eng::run_event_kind::started:
    std::cout << "started";
    break;
  case eng::run_event_kind::token:
    std::cout << "token \"" << e.text << "\"";
    break;
  case eng::run_event_kind::finished:
    std::cout << "finished, " << eng::to_string(e.status);
    break;
  }
  std::cout << '\n';
}

} // namespace

int main() {
  auto config = def::config_builder{}.max_concurrent_agents(8).build();
  if (!config) {
    for (const auto& problem : config.problems()) {
      std::cerr << def::to_string(problem) << '\n';
    }
    return 2;
  }

  def::ensemble_builder review{"embedded-review"};
  review.description("Two reviewers in parallel, then a synthesis").timeout(30s);
  auto ensemble = review.agent("security")
                      .provider("mock")
                      .prompt("Review for security: {input}")
                      .mock(answers_after(150ms))
                      .agent("style")
                      .provider("mock")
                      .prompt("Review for style: {input}")
                      .mock(answers_after(100ms))
                      .agent("synthesis")
                      .provider("mock")
                      .depends_on({"security", "style"})
                      .build(*config);
  if (!ensemble) {
    for (const auto& problem : ensemble.problems()) {
      std::cerr << def::to_string(problem) << '\n';
    }
    return 2;
  }

  eng::engine engine{*config};
  auto handle = engine.start(*ensemble, "def add(a, b): return a + b", {}, print);
  const auto& result = handle.wait();

  std::cout << eng::to_json(result) << '\n';
  std::cout << "status: " << eng::to_string(result.status) << '\n';
  return result.status == eng::run_status::completed ? 0 : 1;
}
