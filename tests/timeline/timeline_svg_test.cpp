#include <tutti/timeline/timeline_svg.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <vector>

using namespace tutti::engine;
using tutti::timeline::timeline_svg;

namespace {

agent_result agent(std::string name, std::string group, std::optional<double> started,
                   std::optional<double> finished, std::vector<std::string> depends_on = {}) {
  agent_result a;
  a.name = std::move(name);
  a.group = std::move(group);
  a.status = started ? agent_status::success : agent_status::skipped;
  a.queued_ms = started ? std::optional<double>(5.0) : std::nullopt;
  a.started_ms = started;
  a.finished_ms = finished;
  a.depends_on = std::move(depends_on);
  a.attempts = started ? 1 : 0;
  return a;
}

// a -> b, a -> c; c finishes after b, so the critical path is a, c.
run_result three_agents() {
  run_result r;
  r.id = "run-1";
  r.ensemble = "review";
  r.status = run_status::completed;
  r.elapsed_ms = 520;
  r.phases = {{"a"}, {"b", "c"}};
  r.agents = {agent("a", "alpha-group", 10.0, 100.0), agent("b", "beta-group", 130.0, 300.0, {"a"}),
              agent("c", "alpha-group", 110.0, 500.0, {"a"})};
  return r;
}

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

// The markup of one agent's lane: up to the next lane or the phase lines and legend after the
// last one.
std::string lane_of(const std::string& svg, const std::string& name) {
  const auto start = svg.find("<g class=\"lane\" data-agent=\"" + name + "\">");
  REQUIRE(start != std::string::npos);
  const auto end = std::min({svg.find("<g class=\"lane\"", start + 1),
                             svg.find("class=\"phase-boundary\"", start),
                             svg.find("<g class=\"legend\"", start)});
  return svg.substr(start, end - start);
}

// The value of the first `attribute="..."` after `from`.
double attribute_after(const std::string& svg, std::size_t from, const std::string& attribute) {
  const auto at = svg.find(" " + attribute + "=\"", from);
  REQUIRE(at != std::string::npos);
  return std::stod(svg.substr(at + attribute.size() + 3));
}

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

void require_document(const std::string& svg) {
  REQUIRE(svg.starts_with("<?xml"));
  REQUIRE(svg.find("<svg ") != std::string::npos);
  REQUIRE(svg.ends_with("</svg>\n"));
  CHECK(count(svg, "<g") == count(svg, "</g>"));
  CHECK(count(svg, "<text") == count(svg, "</text>"));
  CHECK(count(svg, "<title>") == count(svg, "</title>"));
  const auto lower = lowercase(svg);
  CHECK(lower.find("nan") == std::string::npos);
  CHECK(lower.find("inf") == std::string::npos);
}

// A chain of `n` agents, one after the other, spread over `groups` groups.
run_result chain(std::size_t n, std::size_t groups) {
  run_result r;
  r.id = "big";
  r.ensemble = "fan";
  r.elapsed_ms = static_cast<double>(n) * 10 + 10;
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<std::string> deps;
    if (i > 0) {
      deps.push_back("agent-" + std::to_string(i - 1));
    }
    const double start = static_cast<double>(i) * 10;
    r.agents.push_back(agent("agent-" + std::to_string(i), "group-" + std::to_string(i % groups),
                             start, start + 10, std::move(deps)));
  }
  return r;
}

} // namespace

TEST_CASE("a run of three agents draws one lane per agent under its group's heading") {
  const auto svg = timeline_svg(three_agents());
  require_document(svg);
  CHECK(count(svg, "<g class=\"lane\"") == 3);
  const auto alpha = svg.find(">alpha-group</text>");
  const auto beta = svg.find(">beta-group</text>");
  REQUIRE(alpha != std::string::npos);
  REQUIRE(beta != std::string::npos);
  CHECK(alpha < beta); // first appearance in definition order
  // c is in alpha-group: its lane comes under alpha's heading, before beta's.
  CHECK(svg.find("data-agent=\"c\"") < beta);
  CHECK(svg.find("data-agent=\"b\"") > beta);
  CHECK(svg.find("review") != std::string::npos);
  CHECK(svg.find("run-1") != std::string::npos);
  CHECK(svg.find("completed") != std::string::npos);
}

TEST_CASE("the critical path runs back from the last to finish through its latest dependency") {
  const auto svg = timeline_svg(three_agents());
  CHECK(count(svg, "class=\"run critical\"") == 2);
  CHECK(lane_of(svg, "a").find("critical") != std::string::npos);
  CHECK(lane_of(svg, "c").find("critical") != std::string::npos);
  CHECK(lane_of(svg, "b").find("critical") == std::string::npos);

  auto r = three_agents();
  r.agents[1].finished_ms = 510.0; // now b finishes last
  const auto swapped = timeline_svg(r);
  CHECK(lane_of(swapped, "b").find("critical") != std::string::npos);
  CHECK(lane_of(swapped, "c").find("critical") == std::string::npos);
}

TEST_CASE("each bar carries a tooltip with the agent's name, status and times") {
  const auto lane = lane_of(timeline_svg(three_agents()), "b");
  CHECK(lane.find("<title>b (success), queued 5 ms, started at 130 ms, finished at 300 ms") !=
        std::string::npos);
}

TEST_CASE("a retry wait draws a retry bar") {
  auto r = three_agents();
  CHECK(count(timeline_svg(r), "class=\"retry\"") == 0);
  r.agents[2].retry_waits = {{200, 260}, {300, 320}};
  const auto svg = timeline_svg(r);
  CHECK(count(svg, "class=\"retry\"") == 2);
  CHECK(count(lane_of(svg, "c"), "class=\"retry\"") == 2);
}

TEST_CASE("names and groups are escaped") {
  auto r = three_agents();
  r.agents[0].name = "x<&>\"y";
  r.agents[1].depends_on = {r.agents[0].name};
  r.agents[1].group = "g<&>";
  r.ensemble = "e<&>";
  const auto svg = timeline_svg(r);
  require_document(svg);
  CHECK(svg.find("x&lt;&amp;&gt;&quot;y") != std::string::npos);
  CHECK(svg.find("g&lt;&amp;&gt;") != std::string::npos);
  CHECK(svg.find("e&lt;&amp;&gt;") != std::string::npos);
  CHECK(svg.find("<&>") == std::string::npos);
}

TEST_CASE("a dashed line marks where the second phase (phase 1, as the JSON counts) began") {
  const auto svg = timeline_svg(three_agents());
  CHECK(count(svg, "class=\"phase-boundary\"") == 1);
  CHECK(svg.find("data-phase=\"0\"") == std::string::npos);
  const auto line = svg.find("data-phase=\"1\"");
  REQUIRE(line != std::string::npos);
  CHECK(svg.find(">phase 1</text>") != std::string::npos);
  // Phase 1 began when c, the first of b and c, started: where c's bar begins.
  const auto c_bar = svg.find("class=\"run", svg.find("data-agent=\"c\""));
  CHECK(attribute_after(svg, line, "x1") == Approx(attribute_after(svg, c_bar, "x")));
}

TEST_CASE("an agent that never started gets a marker saying so") {
  auto r = three_agents();
  r.agents.push_back(agent("d", "beta-group", std::nullopt, std::nullopt, {"b"}));
  const auto svg = timeline_svg(r);
  require_document(svg);
  const auto lane = lane_of(svg, "d");
  CHECK(lane.find("class=\"not-started\"") != std::string::npos);
  CHECK(lane.find(">skipped<") != std::string::npos);
  CHECK(lane.find("class=\"run") == std::string::npos);
}

TEST_CASE("the axis ticks step by 1, 2 or 5 times a power of ten") {
  auto r = three_agents();
  r.elapsed_ms = 4300;
  auto svg = timeline_svg(r);
  CHECK(svg.find(">1 s</text>") != std::string::npos);
  CHECK(svg.find(">4 s</text>") != std::string::npos);
  CHECK(svg.find(">5 s</text>") == std::string::npos);
  CHECK(svg.find(">1.5 s</text>") == std::string::npos);

  r.elapsed_ms = 700;
  for (auto& a : r.agents) {
    a.finished_ms = std::min(*a.finished_ms, 700.0);
  }
  svg = timeline_svg(r);
  CHECK(svg.find(">100 ms</text>") != std::string::npos);
  CHECK(svg.find(">700 ms</text>") != std::string::npos);
  CHECK(svg.find(">150 ms</text>") == std::string::npos);
}

TEST_CASE("2,000 agents switch to one density lane per group and stay small") {
  const auto svg = timeline_svg(chain(2000, 3));
  require_document(svg);
  CHECK(svg.find("class=\"lane\"") == std::string::npos);
  CHECK(count(svg, "<g class=\"density\"") == 3);
  CHECK(svg.find("group-0: 667 agents, peak 1 running") != std::string::npos);
  CHECK(svg.find("group-2: 666 agents") != std::string::npos);
  // The chain is the critical path, listed as text and clipped.
  CHECK(svg.find("Critical path (2000 agents): agent-0 → agent-1") != std::string::npos);
  CHECK(svg.find("and 1994 more") != std::string::npos);
  CHECK(svg.size() < 1'000'000);
}

TEST_CASE("agents running at once show as the density lane's peak") {
  run_result r;
  r.elapsed_ms = 1000;
  for (int i = 0; i < 100; ++i) {
    // 100 agents, at most 40 overlapping (those started in 0..390 all run until 400).
    const double start = i < 40 ? i * 10.0 : 400.0 + (i - 40) * 10.0;
    r.agents.push_back(agent("a" + std::to_string(i), "gpu", start, i < 40 ? 400.0 : start + 5));
  }
  const auto svg = timeline_svg(r);
  require_document(svg);
  CHECK(svg.find("gpu: 100 agents, peak 40 running") != std::string::npos);
}

TEST_CASE("100,000 agents in many groups still make a document well under a megabyte") {
  const auto svg = timeline_svg(chain(100'000, 500));
  require_document(svg);
  CHECK(count(svg, "<g class=\"density\"") <= 24);
  CHECK(svg.find("more groups") != std::string::npos);
  CHECK(svg.size() < 500'000);
}

TEST_CASE("a run with no agents or no time yields a valid document without nan or inf") {
  run_result empty;
  require_document(timeline_svg(empty));
  CHECK(timeline_svg(empty).find("No agents") != std::string::npos);

  auto instant = three_agents();
  instant.elapsed_ms = 0;
  for (auto& a : instant.agents) {
    a.queued_ms = 0.0;
    a.started_ms = 0.0;
    a.finished_ms = 0.0;
  }
  require_document(timeline_svg(instant));

  auto timeless = three_agents();
  for (auto& a : timeless.agents) {
    a = agent(a.name, a.group, std::nullopt, std::nullopt, a.depends_on);
  }
  timeless.elapsed_ms = 0;
  require_document(timeline_svg(timeless));
}

TEST_CASE("times that are not numbers are left out rather than printed") {
  constexpr auto nan = std::numeric_limits<double>::quiet_NaN();
  constexpr auto inf = std::numeric_limits<double>::infinity();
  auto r = three_agents();
  r.elapsed_ms = nan;
  r.agents[0].started_ms = nan;
  r.agents[1].finished_ms = inf;
  r.agents[1].queued_ms = -inf;
  r.agents[2].retry_waits = {{nan, inf}};
  require_document(timeline_svg(r));

  auto big = chain(100, 2);
  big.agents[3].started_ms = nan;
  big.agents[4].finished_ms = inf;
  big.elapsed_ms = inf;
  require_document(timeline_svg(big));
}

TEST_CASE("in a phased run the critical path goes through the phase before, not only through "
          "dependencies") {
  auto r = three_agents();
  // d depends on a alone, but in a phased run it waited for c, which finished last in phase 1.
  r.phases.push_back({"d"});
  auto d = agent("d", "alpha-group", 510.0, 520.0, {"a"});
  d.phase = 2;
  r.agents.push_back(d);
  r.agents[1].phase = 1;
  r.agents[2].phase = 1;
  auto svg = timeline_svg(r);
  CHECK(lane_of(svg, "c").find("critical") != std::string::npos);
  r.scheduling = tutti::definition::scheduling_policy::eager; // then only a dependency holds d
  svg = timeline_svg(r);
  CHECK(lane_of(svg, "c").find("critical") == std::string::npos);
  CHECK(lane_of(svg, "a").find("critical") != std::string::npos);
}
