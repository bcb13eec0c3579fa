// One `tutti` process measured from outside, as a user's shell would see it: its wall time
// from spawn to exit, and the CPU time and peak memory the kernel kept for it.
#pragma once

#include <string>
#include <vector>

namespace tutti::bench {

struct process_usage {
  int exit_code = -1; // -1 when it did not exit normally
  double wall_ms = 0;
  double cpu_ms = 0;  // user + system
  double peak_mb = 0; // peak resident memory
};

/// Runs `argv` (argv[0] a path) with standard output and error thrown away, and waits for it.
process_usage run_process(const std::vector<std::string>& argv);

/// The tutti binary built beside this benchmark.
std::string tutti_binary();

} // namespace tutti::bench
