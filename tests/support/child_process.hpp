// A program run as a child process, for tests of what only a separate process shows (a kill
// -9, several writers): its standard output goes to a file.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace tutti::test {

class child_process {
 public:
  /// Starts `program` with `args` in `dir`, standard input empty, standard output into
  /// `out_file` and standard error into `out_file` + ".err".
  child_process(const std::filesystem::path& program, const std::vector<std::string>& args,
                const std::filesystem::path& dir, const std::filesystem::path& out_file);
  /// Kills the child if it still runs.
  ~child_process();
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  /// Waits for the child; its exit code, or 128 + the signal that ended it.
  int wait();
  /// Its exit code (as wait()) if it ends within `timeout`.
  std::optional<int> wait_for(std::chrono::milliseconds timeout);
  /// SIGKILL: the child gets no chance to clean up.
  void kill_hard();
  /// Sends `sig` (SIGINT, SIGTERM, ...) while the child runs.
  void signal(int sig);

 private:
  pid_t pid_ = -1;
  bool waited_ = false;
  int status_ = 0;
};

/// The whole of a file.
std::string read_file(const std::filesystem::path& path);

} // namespace tutti::test
