#include "support/eventually.hpp"
#include "support/temp_dir.hpp"

#include <tutti/providers/io_thread.hpp>
#include <tutti/providers/script_provider.hpp>

#include <catch2/catch.hpp>

#include <csignal>
#include <fstream>
#include <future>

using namespace tutti::providers;
using tutti::test::eventually;
using tutti::test::temp_dir;

namespace {

completion_request script(std::vector<std::string> argv, std::string input = {}) {
  completion_request r;
  r.agent = "count";
  r.script = std::move(argv);
  r.prompt = std::move(input);
  return r;
}

struct runner {
  io_thread io;
  script_provider scripts{io};

  completion_result run(completion_request r) {
    std::promise<completion_result> answered;
    scripts.start(std::move(r), {},
                  [&](completion_result result) { answered.set_value(std::move(result)); });
    return answered.get_future().get();
  }
};

bool is_alive(const std::filesystem::path& pid_file) {
  std::ifstream in{pid_file};
  pid_t pid = 0;
  in >> pid;
  return pid > 0 && ::kill(pid, 0) == 0;
}

} // namespace

TEST_CASE("a script gets the input on stdin and answers with its stdout") {
  runner r;
  auto result = r.run(script({"tr", "a-z", "A-Z"}, "count these words\n"));
  CHECK(result.is_success());
  CHECK(result.text == "COUNT THESE WORDS");
}

TEST_CASE("a stream gets a script's whole output as one piece, before the result") {
  runner r;
  std::vector<std::string> pieces;
  std::promise<completion_result> answered;
  r.scripts.start(
      script({"printf", "one\\ntwo\\n\\n"}), [&](std::string piece) { pieces.push_back(piece); },
      [&](completion_result result) { answered.set_value(std::move(result)); });
  CHECK(answered.get_future().get().text == "one\ntwo");
  CHECK(pieces == std::vector<std::string>{"one\ntwo"});
}

TEST_CASE("a script runs in its working directory, where a relative program is found") {
  temp_dir dir;
  auto tool = dir.write("tools/words.sh", "#!/bin/sh\nwc -w | tr -d ' '\npwd\n");
  std::filesystem::permissions(tool, std::filesystem::perms::owner_exec,
                               std::filesystem::perm_options::add);
  runner r;
  auto request = script({"tools/words.sh"}, "one two three");
  request.working_directory = dir.path().string();
  auto result = r.run(request);
  REQUIRE(result.is_success());
  CHECK(result.text == "3\n" + std::filesystem::canonical(dir.path()).string());
}

TEST_CASE("a script that fails says how, with the end of its stderr") {
  runner r;
  auto status =
      r.run(script({"sh", "-c", "echo partial; echo 'no such column: total' >&2; exit 3"}));
  CHECK(status.code == call_errc::script_failed);
  CHECK(status.error == "sh exited with status 3: no such column: total");
  CHECK(status.text.empty());

  auto signal = r.run(script({"sh", "-c", "kill -TERM $$"}));
  CHECK(signal.code == call_errc::script_failed);
  CHECK(signal.error == "sh was killed by SIGTERM");

  auto missing = r.run(script({"no-such-program-anywhere"}));
  CHECK(missing.code == call_errc::script_failed);
  CHECK(missing.error == "cannot find 'no-such-program-anywhere' on PATH");

  auto not_executable = r.run(script({"./README-not-here"}));
  CHECK(not_executable.code == call_errc::script_failed);
  CHECK_THAT(not_executable.error, Catch::EndsWith("/README-not-here does not exist"));
}

TEST_CASE("a script past its time is killed with everything it started") {
  temp_dir dir;
  const auto child = dir.path() / "child.pid";
  runner r;
  auto request = script({"sh", "-c", "sleep 60 & echo $! > " + child.string() + "; wait"});
  request.time_left = std::chrono::milliseconds{300};
  auto result = r.run(request);
  CHECK(result.code == call_errc::timeout);
  CHECK(result.error == "the script ran past its time and was stopped");
  CHECK(eventually([&] { return !is_alive(child); }));
}

TEST_CASE("a script's output over 16 MiB is cut and fails") {
  runner r;
  auto result = r.run(script({"head", "-c", std::to_string(max_script_output + 1), "/dev/zero"}));
  CHECK(result.code == call_errc::too_large);
  CHECK(result.error == "the script's output passed 16 MiB; it was stopped");
}

TEST_CASE("a script that does not read its input still answers") {
  runner r;
  auto result = r.run(script({"echo", "done"}, std::string(4u << 20, 'x')));
  CHECK(result.is_success());
  CHECK(result.text == "done");
}

TEST_CASE("a cancelled script is killed with what it started, and never answers") {
  temp_dir dir;
  const auto child = dir.path() / "child.pid";
  runner r;
  std::atomic<bool> answered{false};
  auto cancel =
      r.scripts.start(script({"sh", "-c", "sleep 60 & echo $! > " + child.string() + "; wait"}), {},
                      [&](completion_result) { answered = true; });
  REQUIRE(eventually([&] { return is_alive(child); }));
  cancel();
  CHECK(eventually([&] { return !is_alive(child); }));
  CHECK_FALSE(answered.load());
}
