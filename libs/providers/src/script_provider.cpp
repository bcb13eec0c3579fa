#include <tutti/definition/program_path.hpp>
#include <tutti/providers/io_thread.hpp>
#include <tutti/providers/script_provider.hpp>

#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/readable_pipe.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/writable_pipe.hpp>
#include <boost/asio/write.hpp>
#include <boost/process/v2/process.hpp>
#include <boost/process/v2/start_dir.hpp>
#include <boost/process/v2/stdio.hpp>

#include <array>
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <linux/close_range.h>
#include <mutex>
#include <optional>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace tutti::providers {

namespace asio = boost::asio;
namespace bp = boost::process::v2;

namespace {

constexpr std::size_t stderr_kept = 2000; // the end of standard error a failure quotes

// Runs in the child between fork and exec, after its standard streams are in place: a process
// group of its own, so that killing the group ends everything it started; killed with tutti,
// should tutti be killed outright (SIGKILL leaves it no time to kill the group); SIGPIPE as a
// program expects it (tutti ignores it); and no other descriptor of tutti's (sockets, other
// scripts' pipes) kept open in it. Boost 1.81 means to close them but skips every descriptor
// between the standard ones and its own last one (close_handles.ipp compares a descriptor with
// itself).
struct child_setup {
  ::pid_t parent = ::getpid(); // taken in tutti, before the fork

  template <class Launcher>
  bp::error_code on_exec_setup(Launcher&, const bp::filesystem::path&, const char* const*&) {
    // Sent when the thread that started it ends: the I/O thread, which outlives every script.
    if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != parent) {
      return {ESRCH, boost::system::system_category()}; // tutti is already gone
    }
    if (::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
      for (int fd = 3; fd < 65536; ++fd) {
        ::fcntl(fd, F_SETFD, FD_CLOEXEC);
      }
    }
    ::signal(SIGPIPE, SIG_DFL);
    if (::setpgid(0, 0) != 0) {
      return {errno, boost::system::system_category()};
    }
    return {};
  }
};

std::string signal_name(int signal) {
  const char* name = ::sigabbrev_np(signal);
  return name != nullptr ? std::string{"SIG"} + name : std::to_string(signal);
}

// One run of a script; every member is touched on the I/O thread only, but `is_finished`.
struct script_run : std::enable_shared_from_this<script_run> {
  script_run(asio::io_context& io, completion_request r, token_callback t, completion_callback d)
      : in(io), out(io), err(io), deadline(io), request(std::move(r)), on_token(std::move(t)),
        done(std::move(d)) {}

  void launch() {
    if (is_finished.load()) {
      return; // cancelled before it started
    }
    if (request.script.empty()) {
      return finish(call_errc::rejected, "a script agent needs a program to run");
    }
    auto found = definition::find_program(request.script.front(), request.working_directory);
    if (const auto* why = std::get_if<std::string>(&found)) {
      return finish(call_errc::script_failed, *why);
    }
    const auto& program = std::get<std::filesystem::path>(found);
    const std::vector<std::string> args(request.script.begin() + 1, request.script.end());
    asio::readable_pipe child_in{in.get_executor()};
    asio::writable_pipe child_out{out.get_executor()};
    asio::writable_pipe child_err{err.get_executor()};
    asio::connect_pipe(child_in, in);
    asio::connect_pipe(out, child_out);
    asio::connect_pipe(err, child_err);
    try {
      auto& io = static_cast<asio::io_context&>(deadline.get_executor().context());
      process.emplace(io, bp::filesystem::path{program.string()}, args,
                      bp::process_stdio{child_in, child_out, child_err},
                      bp::process_start_dir{request.working_directory.empty()
                                                ? std::filesystem::current_path().string()
                                                : request.working_directory},
                      child_setup{});
    } catch (const std::exception& e) {
      return finish(call_errc::script_failed,
                    "cannot start " + program.string() + ": " + std::string{e.what()});
    }
    group = process->id();
    ::setpgid(group, group); // also from here, whichever of the two runs first
    child_in.close();
    child_out.close();
    child_err.close();
    if (request.time_left.count() > 0) {
      deadline.expires_after(request.time_left);
      deadline.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
        if (!ec) {
          self->timed_out = true;
          self->kill_group();
        }
      });
    }
    asio::async_write(in, asio::buffer(request.prompt),
                      [self = shared_from_this()](const boost::system::error_code&, std::size_t) {
                        // A script that does not read its input closes the pipe first: fine.
                        boost::system::error_code ignored;
                        self->in.close(ignored);
                      });
    read_output();
    read_errors();
    process->async_wait([self = shared_from_this()](const boost::system::error_code&, int) {
      // What it left running would hold its pipes open: the group ends with the script.
      self->kill_group();
      self->step_done();
    });
  }

  void read_output() {
    out.async_read_some(
        asio::buffer(chunk),
        [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
          self->output.append(self->chunk.data(), n);
          if (self->output.size() > max_script_output) {
            self->output.resize(max_script_output);
            self->too_large = true;
            self->kill_group();
          }
          if (ec || self->too_large) {
            return self->step_done();
          }
          self->read_output();
        });
  }

  void read_errors() {
    err.async_read_some(
        asio::buffer(error_chunk),
        [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
          self->errors.append(self->error_chunk.data(), n);
          if (self->errors.size() > 2 * stderr_kept) {
            self->errors.erase(0, self->errors.size() - stderr_kept);
          }
          if (ec) {
            return self->step_done();
          }
          self->read_errors();
        });
  }

  void kill_group() {
    if (group > 0) {
      ::kill(-group, SIGKILL);
    }
  }

  // Standard output and error closed and the process reaped: the result.
  void step_done() {
    if (++steps < 3) {
      return;
    }
    deadline.cancel();
    if (timed_out) {
      return finish(call_errc::timeout, "the script ran past its time and was stopped");
    }
    if (too_large) {
      return finish(call_errc::too_large, "the script's output passed " +
                                              std::to_string(max_script_output >> 20) +
                                              " MiB; it was stopped");
    }
    const int status = process->native_exit_code();
    std::string why;
    if (WIFSIGNALED(status)) {
      why = "was killed by " + signal_name(WTERMSIG(status));
    } else if (WEXITSTATUS(status) != 0) {
      why = "exited with status " + std::to_string(WEXITSTATUS(status));
    } else {
      // As the shell's $(...) reads a command's output: without its last newlines.
      while (!output.empty() && (output.back() == '\n' || output.back() == '\r')) {
        output.pop_back();
      }
      completion_result r;
      r.code = call_errc::none;
      r.text = std::move(output);
      if (on_token && !r.text.empty() && !is_finished.load()) {
        on_token(r.text); // one piece: a stream shows it as it shows a model's
      }
      return hand_over(std::move(r));
    }
    auto tail = errors.size() > stderr_kept ? errors.substr(errors.size() - stderr_kept) : errors;
    while (!tail.empty() && std::isspace(static_cast<unsigned char>(tail.back())) != 0) {
      tail.pop_back();
    }
    finish(call_errc::script_failed,
           request.script.front() + " " + why + (tail.empty() ? "" : ": " + tail));
  }

  void finish(call_errc code, std::string error) {
    hand_over(failed_completion(code, std::move(error)));
  }

  void hand_over(completion_result r) {
    if (!is_finished.exchange(true)) {
      done(std::move(r));
    }
  }

  void cancel() {
    is_finished = true;
    kill_group();
    deadline.cancel();
  }

  asio::writable_pipe in;
  asio::readable_pipe out;
  asio::readable_pipe err;
  asio::steady_timer deadline;
  std::optional<bp::process> process;
  ::pid_t group = 0;
  completion_request request;
  token_callback on_token;
  completion_callback done;
  std::atomic<bool> is_finished{false};
  std::array<char, 16384> chunk{};
  std::array<char, 4096> error_chunk{};
  std::string output;
  std::string errors;
  int steps = 0;
  bool timed_out = false;
  bool too_large = false;
};

} // namespace

script_provider::script_provider(io_thread& io) : io_(io) {
  // Writing to a script that has closed its input must fail with EPIPE, not end tutti.
  static std::once_flag ignored;
  std::call_once(ignored, [] { ::signal(SIGPIPE, SIG_IGN); });
}

cancel_call script_provider::start(completion_request request, token_callback on_token,
                                   completion_callback done) {
  auto& io = io_.context();
  auto run =
      std::make_shared<script_run>(io, std::move(request), std::move(on_token), std::move(done));
  // Launched on the I/O thread: a fork must not race the io_context's other users.
  asio::post(io, [run] { run->launch(); });
  return [run, &io] {
    run->is_finished = true; // from here on, `done` is never called
    asio::post(io, [run] { run->cancel(); });
  };
}

} // namespace tutti::providers
