// The dashboard in a real browser: headless Chromium (scripts/setup installs it) loads the page
// while runs go, and the test reads the DOM its script built. A screenshot is left in
// tests/output/ of the build.
#include "server/served_library.hpp"
#include "support/child_process.hpp"
#include "support/eventually.hpp"

#include <tutti/server/http_server.hpp>

#include <catch2/catch.hpp>

#include <regex>

using namespace tutti;

namespace {

// What Chromium makes of `url`, with its timers given `budget_ms` of virtual time; `extra`
// asks for more (a screenshot).
std::string browse(const test::temp_dir& dir, const std::string& url, const std::string& name,
                   std::vector<std::string> extra = {"--dump-dom"}) {
  std::vector<std::string> args{"--headless",
                                "--no-sandbox",
                                "--disable-gpu",
                                "--disable-quic",
                                "--no-first-run",
                                "--disable-background-networking",
                                "--disable-component-update",
                                "--disable-sync",
                                "--user-data-dir=" + (dir.path() / ("profile-" + name)).string(),
                                "--window-size=1280,800",
                                "--virtual-time-budget=3000"};
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back(url);
  const auto out = dir.path() / (name + ".out");
  test::child_process chromium{"/usr/bin/chromium", args, dir.path(), out};
  auto code = chromium.wait_for(std::chrono::seconds{60});
  INFO(test::read_file(out.string() + ".err"));
  REQUIRE(code == 0);
  return test::read_file(out);
}

std::string row_of(const std::string& dom, const std::string& attribute) {
  std::smatch row;
  const std::regex pattern{"<tr[^>]*" + attribute + "[^>]*>.*?</tr>"};
  return std::regex_search(dom, row, pattern) ? row.str() : std::string{};
}

} // namespace

TEST_CASE("the dashboard shows each group's counts, the runs, and a chosen run's timeline") {
  test::served_library lib{{}, 20'000};
  server::http_settings http;
  http.port = 0;
  server::http_server server{lib.service(), http};
  const auto url = "http://127.0.0.1:" + std::to_string(server.port()) + "/";
  server::run_request quick;
  quick.ensemble = "quick";
  quick.input = "tea";
  std::get<std::shared_ptr<server::run_record>>(lib.service().submit(quick))->wait();
  server::run_request slow;
  slow.ensemble = "slow";
  slow.input = "x";
  lib.service().submit(slow);
  lib.service().submit(slow);
  REQUIRE(test::eventually([&] { return lib.service().resources().pending == 1; }));

  const auto dom = browse(lib.dir(), url, "dom");
  const auto box = row_of(dom, "data-group=\"mock@box\"");
  INFO(dom);
  REQUIRE_FALSE(box.empty());
  CHECK(box.find("local-server") != std::string::npos);
  CHECK(box.find("class=\"num active\">1<") != std::string::npos);
  CHECK(box.find("class=\"num pending\">1<") != std::string::npos);
  const auto finished = row_of(dom, "data-status=\"completed\"");
  CHECK(finished.find(">quick<") != std::string::npos);
  CHECK(finished.find(">3/3<") != std::string::npos);
  CHECK(row_of(dom, "data-status=\"running\"").find(">slow<") != std::string::npos);
  CHECK(dom.find("id=\"timeline-svg\"") != std::string::npos);

  const std::filesystem::path output = TUTTI_TEST_OUTPUT_DIR;
  std::filesystem::create_directories(output);
  const auto shot = output / "dashboard.png";
  std::filesystem::remove(shot);
  browse(lib.dir(), url, "shot", {"--screenshot=" + shot.string()});
  CHECK(std::filesystem::file_size(shot) > 10'000);
  lib.service().shutdown();
}
