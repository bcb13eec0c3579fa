#include "support/child_process.hpp"

#include <csignal>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

namespace tutti::test {

child_process::child_process(const std::filesystem::path& program,
                             const std::vector<std::string>& args, const std::filesystem::path& dir,
                             const std::filesystem::path& out_file) {
  std::vector<std::string> all{program.string()};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all) {
    argv.push_back(a.data());
  }
  argv.push_back(nullptr);
  const auto out = out_file.string();
  const auto err = out + ".err";
  pid_ = fork();
  if (pid_ < 0) {
    throw std::runtime_error("fork failed");
  }
  if (pid_ == 0) { // the child: only async-signal-safe calls until exec
    const int in_fd = open("/dev/null", O_RDONLY);
    const int out_fd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err_fd = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in_fd < 0 || out_fd < 0 || err_fd < 0 || chdir(dir.c_str()) != 0) {
      _exit(127);
    }
    dup2(in_fd, 0);
    dup2(out_fd, 1);
    dup2(err_fd, 2);
    execv(argv[0], argv.data());
    _exit(127);
  }
}

child_process::~child_process() {
  if (!waited_) {
    kill_hard();
    wait();
  }
}

int child_process::wait() {
  if (!waited_) {
    waitpid(pid_, &status_, 0);
    waited_ = true;
  }
  return WIFEXITED(status_) ? WEXITSTATUS(status_) : 128 + WTERMSIG(status_);
}

std::optional<int> child_process::wait_for(std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (!waited_) {
    if (waitpid(pid_, &status_, WNOHANG) == pid_) {
      waited_ = true;
      break;
    }
    if (std::chrono::steady_clock::now() >= until) {
      return std::nullopt;
    }
    usleep(10'000);
  }
  return wait();
}

void child_process::signal(int sig) {
  if (!waited_) {
    kill(pid_, sig);
  }
}

void child_process::kill_hard() {
  if (!waited_) {
    kill(pid_, SIGKILL);
  }
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in{path, std::ios::binary};
  std::ostringstream text;
  text << in.rdbuf();
  return std::move(text).str();
}

} // namespace tutti::test
