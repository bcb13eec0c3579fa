// The `tutti` command line, runnable in-process: arguments, streams, working directory and
// environment are all passed in.
#pragma once

#include <tutti/definition/environment.hpp>

#include <filesystem>
#include <iosfwd>
#include <istream>
#include <string>
#include <vector>

namespace tutti::cli {

struct cli_context {
  std::filesystem::path working_dir; // empty: the process's own, and paths print as given
  definition::environment env;
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
  bool in_is_terminal = false;
  bool err_is_terminal = false; // the live progress view is drawn only on a terminal
  bool out_is_terminal = false; // model output to a terminal has its control characters escaped
};

/// Runs `tutti` with `args` (args[0] is the program name) and returns the exit code.
int run_cli(const std::vector<std::string>& args, const cli_context& ctx);

} // namespace tutti::cli
