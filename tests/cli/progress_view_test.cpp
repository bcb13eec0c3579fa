#include "progress_view.hpp"

#include <catch2/catch.hpp>

using namespace tutti::engine;
using tutti::cli::progress_view;

namespace {

run_event event(run_event_kind kind, std::string agent, double at_ms,
                agent_status status = agent_status::success) {
  run_event e;
  e.kind = kind;
  e.agent = std::move(agent);
  e.at_ms = at_ms;
  e.status = status;
  return e;
}

} // namespace

TEST_CASE("the progress view shows each agent waiting, running or done, under its title") {
  progress_view view{"v: 3 agents, parallel (eager)", {"a", "bb", "c"}};
  view.apply(event(run_event_kind::started, "a", 100));
  view.apply(event(run_event_kind::started, "bb", 200));
  view.apply(event(run_event_kind::finished, "bb", 1700, agent_status::timeout));
  CHECK(view.lines(2100) == std::vector<std::string>{"v: 3 agents, parallel (eager)",
                                                     "  a   running 2.0 s", "  bb  timeout 1.5 s",
                                                     "  c   waiting"});
}

TEST_CASE("the progress view says when an agent waits to retry, after what, and which attempt") {
  progress_view view{"r", {"a"}};
  view.apply(event(run_event_kind::started, "a", 0));
  auto retry = event(run_event_kind::retry, "a", 500);
  retry.text = "HTTP 429 from backend 'openai': slow down";
  retry.attempt = 1;
  retry.delay_ms = 1000;
  retry.max_attempts = 3;
  view.apply(retry);
  CHECK(view.lines(600)[1] == "  a  retrying after HTTP 429 in 0.9 s, attempt 2/3");
  view.apply(event(run_event_kind::started, "a", 1500)); // the next attempt
  CHECK(view.lines(2000)[1] == "  a  running 0.5 s");
}

TEST_CASE("the progress view clips long names, never inside a character, so the status shows") {
  const std::string accented = "\xc3\xa9"; // é: two bytes, one column
  std::string twenty;
  for (int i = 0; i < 20; ++i) {
    twenty += accented;
  }
  progress_view view{"t", {"agent-with-a-long-name-that-goes-on", twenty, "b"}};
  auto lines = view.lines(0, 50); // 16 columns are left for names
  REQUIRE(lines.size() == 4);
  CHECK(lines[1] == "  agent-with-a-lo~  waiting");
  std::string fifteen;
  for (int i = 0; i < 15; ++i) {
    fifteen += accented;
  }
  CHECK(lines[2] == "  " + fifteen + "~  waiting");
  CHECK(lines[3] == "  b                 waiting");
  CHECK(view.lines(0, 0)[1] == "  agent-with-a-long-name-that-goes-on  waiting"); // no width
  CHECK(view.lines(0, 12)[1].size() <= 12); // however narrow, the line fits
}

TEST_CASE("a large run shows counts and the running agents only") {
  std::vector<std::string> names;
  for (int i = 0; i < 50; ++i) {
    names.push_back("a" + std::to_string(i));
  }
  progress_view view{"big", names};
  view.apply(event(run_event_kind::started, "a3", 0));
  view.apply(event(run_event_kind::started, "a4", 0));
  view.apply(event(run_event_kind::finished, "a4", 500));
  auto lines = view.lines(1000);
  REQUIRE(lines.size() == 3);
  CHECK(lines[1] == "  1 done, 1 running, 48 waiting");
  CHECK(lines[2] == "  a3   running 1.0 s");
}
