// tutti: run ensembles of LLM agents. All behaviour lives in tutti_cli.
#include "cli.hpp"

#include <iostream>
#include <unistd.h>

int main(int argc, char** argv) {
  const tutti::cli::cli_context ctx{{},
                                    tutti::definition::process_environment(),
                                    std::cin,
                                    std::cout,
                                    std::cerr,
                                    isatty(STDIN_FILENO) == 1,
                                    isatty(STDERR_FILENO) == 1,
                                    isatty(STDOUT_FILENO) == 1};
  return tutti::cli::run_cli(std::vector<std::string>(argv, argv + argc), ctx);
}
