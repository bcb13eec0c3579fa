// Script agents through the real binary: what only a separate tutti process shows.
#include "support/child_process.hpp"
#include "support/eventually.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <csignal>

using tutti::test::child_process;
using tutti::test::eventually;
using tutti::test::read_file;
using tutti::test::temp_dir;

namespace {

const std::filesystem::path tutti_binary = TUTTI_BINARY;

} // namespace

TEST_CASE("a script does not outlive a tutti killed with SIGKILL") {
  temp_dir dir;
  dir.write("hang.toml", R"(
name = "hang"
[[agents]]
name = "wait"
script = ["sh", "-c", "echo $$ > script.pid; exec sleep 60"]
)");
  child_process tutti{tutti_binary,
                      {"run", "hang.toml", "--input", "go", "--no-store"},
                      dir.path(),
                      dir.path() / "out.txt"};
  const auto pid_file = dir.path() / "script.pid";
  REQUIRE(eventually(
      [&] { return std::filesystem::exists(pid_file) && !read_file(pid_file).empty(); }));
  const auto script = static_cast<pid_t>(std::stol(read_file(pid_file)));
  REQUIRE(::kill(script, 0) == 0);
  tutti.kill_hard();
  CHECK(tutti.wait() == 128 + SIGKILL);
  CHECK(eventually([&] { return ::kill(script, 0) != 0; }));
}
