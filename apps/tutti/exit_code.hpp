// The process exit codes of every tutti command, as documented in the README.
#pragma once

namespace tutti::cli {

enum exit_code : int {
  success = 0,
  run_failed = 1,    // the command ran but what it did failed (a run with failed agents, later)
  invalid_input = 2, // a definition, configuration or command line that tutti cannot use
};

} // namespace tutti::cli
