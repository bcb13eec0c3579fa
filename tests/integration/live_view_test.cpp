// The live view in a real terminal: tmux runs `tutti run` in a 60-column pane and
// capture-pane shows what a person would see.
#include "support/child_process.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <sstream>
#include <thread>
#include <unistd.h>

using tutti::test::child_process;
using tutti::test::read_file;
using tutti::test::temp_dir;

namespace {

constexpr int pane_width = 60;
const std::string long_name = "a_very_long_agent_name_that_runs_past_a_sixty_column_pane_end";

// tmux on a server of this test's own, so that nothing else's sessions are touched.
class tmux_pane {
 public:
  tmux_pane(const temp_dir& dir, const std::string& script)
      : dir_(dir), socket_("tutti-test-" + std::to_string(getpid())) {
    tmux({"new-session", "-d", "-x", std::to_string(pane_width), "-y", "40", "-c",
          dir.path().string(), "sh -c '" + script + "'"});
  }
  ~tmux_pane() { tmux({"kill-server"}); }
  tmux_pane(const tmux_pane&) = delete;
  tmux_pane& operator=(const tmux_pane&) = delete;

  // What the pane shows, with its scrolled-off history.
  std::string capture() { return tmux({"capture-pane", "-p", "-S", "-500"}); }

  // The capture once it shows `marker`; empty if it does not within two minutes.
  std::string capture_once(const std::string& marker) {
    for (int i = 0; i < 1200; ++i) {
      if (auto shown = capture(); shown.find(marker) != std::string::npos) {
        return shown;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds{100});
    }
    return {};
  }

 private:
  std::string tmux(std::vector<std::string> args) {
    args.insert(args.begin(), {"-L", socket_});
    const auto out = dir_.path() / "tmux.out";
    child_process tmux{"/usr/bin/tmux", args, dir_.path(), out};
    tmux.wait();
    return read_file(out);
  }

  const temp_dir& dir_;
  std::string socket_;
};

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in{text};
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
  }
  return lines;
}

std::string agents(int count, const std::string& first_name) {
  std::string text = "max_concurrent_agents = 100\n";
  for (int i = 0; i < count; ++i) {
    text += "[[agents]]\nname = \"" + (i == 0 ? first_name : "a" + std::to_string(i)) +
            "\"\nprovider = \"mock\"\nmock = { latency_ms = " + std::to_string(100 + 20 * i) +
            " }\n";
  }
  return text;
}

} // namespace

TEST_CASE("in a terminal, the live view clips lines to the pane, and a shrinking frame leaves "
          "no stale rows") {
  temp_dir dir;
  dir.write("small.toml", "name = \"small\"\n" + agents(3, long_name));
  dir.write("big.toml", "name = \"big\"\n" + agents(30, "a0"));
  const std::string tutti = TUTTI_BINARY;
  tmux_pane pane{
      dir, tutti + " run small.toml --input x --no-store > small.out; echo SMALL-DONE; " + tutti +
               " run big.toml --input x --no-store > big.out; echo BIG-DONE; " + "sleep 60"};
  const auto shown = pane.capture_once("BIG-DONE");
  REQUIRE_FALSE(shown.empty());
  INFO(shown);
  const auto lines = lines_of(shown);
  // The long name is cut short (with a mark) so that its row keeps its status and fits the
  // pane, rather than wrapping onto a second row; the other rows keep theirs too.
  bool clipped = false;
  for (const auto& line : lines) {
    if (line.starts_with("  a")) { // the rows of the view
      CHECK(line.size() < static_cast<std::size_t>(pane_width));
      CHECK(line.find("success") != std::string::npos);
    }
    clipped = clipped || (line.find("a_very_long") != std::string::npos &&
                          line.find("~  success") != std::string::npos);
  }
  CHECK(clipped);
  CHECK(shown.find("pane_end") == std::string::npos);
  // The big run's last frame says all are done; below it, no row of an earlier, longer frame.
  const auto big = shown.find("big: 30 agents, parallel");
  REQUIRE(big != std::string::npos);
  const auto last_frame = shown.rfind("30 done, 0 running, 0 waiting");
  REQUIRE(last_frame != std::string::npos);
  CHECK(shown.find(" running ", last_frame) == std::string::npos);
  CHECK(shown.find("completed: 30 of 30 agents succeeded", last_frame) != std::string::npos);
}
