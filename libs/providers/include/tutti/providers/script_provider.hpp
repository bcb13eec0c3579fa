// Script agents: a process instead of a model. The request's prompt goes to its standard input,
// its standard output is the answer. It runs in a process group of its own, on the I/O thread
// (Boost.Process v2: no shell, no thread per script), so that a timeout or a cancel ends it
// and everything it started.
#pragma once

#include <tutti/providers/provider.hpp>

#include <cstddef>
#include <memory>

namespace tutti::providers {

class io_thread;

/// A script's output is cut, and the call failed (too_large), past this many bytes.
inline constexpr std::size_t max_script_output = 16u << 20;

class script_provider final : public provider {
 public:
  explicit script_provider(io_thread& io);

  /// Runs request.script (argv; the program a path, found on PATH when it has no '/') in
  /// request.working_directory. Success: exit status 0, the text its standard output without
  /// its last newlines (as the shell's $(...) reads it). A
  /// status other than 0 or a signal fails (script_failed) with the end of its standard error;
  /// request.time_left, when set, kills its process group (timeout), and so does a cancel.
  /// A stream gets the whole output as one piece, before the result.
  cancel_call start(completion_request request, token_callback on_token,
                    completion_callback done) override;

 private:
  io_thread& io_;
};

} // namespace tutti::providers
