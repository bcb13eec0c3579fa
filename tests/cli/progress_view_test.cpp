#include "progress_view.hpp"
#include "support/ensemble_text.hpp"

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

TEST_CASE("the progress view shows each agent waiting, running or done") {
  auto e = tutti::test::ensemble_from(
      "name = \"v\"\n[[agents]]\nname = \"a\"\nprovider = \"mock\"\n[[agents]]\nname = "
      "\"bb\"\nprovider = \"mock\"\n[[agents]]\nname = \"c\"\nprovider = \"mock\"\n");
  progress_view view{e};
  view.apply(event(run_event_kind::started, "a", 100, agent_status::success));
  view.apply(event(run_event_kind::started, "bb", 200, agent_status::success));
  view.apply(event(run_event_kind::finished, "bb", 1700, agent_status::timeout));
  CHECK(view.lines(2100) ==
        std::vector<std::string>{"  a   running 2.0 s", "  bb  timeout 1.5 s", "  c   waiting"});
}

TEST_CASE("a large run shows counts and the running agents only") {
  std::string text = "name = \"big\"\n";
  for (int i = 0; i < 50; ++i) {
    text += "[[agents]]\nname = \"a" + std::to_string(i) + "\"\nprovider = \"mock\"\n";
  }
  progress_view view{tutti::test::ensemble_from(text)};
  view.apply(event(run_event_kind::started, "a3", 0, agent_status::success));
  view.apply(event(run_event_kind::started, "a4", 0, agent_status::success));
  view.apply(event(run_event_kind::finished, "a4", 500, agent_status::success));
  auto lines = view.lines(1000);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0] == "  1 done, 1 running, 48 waiting");
  CHECK(lines[1] == "  a3   running 1.0 s");
}
