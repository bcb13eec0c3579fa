// tutti: run ensembles of LLM agents. All behaviour lives in tutti_cli.
#include "cli.hpp"

#include <iostream>

int main(int argc, char** argv) {
  const tutti::cli::cli_context ctx{
      {}, tutti::definition::process_environment(), std::cout, std::cerr};
  return tutti::cli::run_cli(std::vector<std::string>(argv, argv + argc), ctx);
}
