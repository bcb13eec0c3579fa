// `tutti ARGS...` run in-process, with its output captured: for tests of the commands.
#pragma once

#include "cli.hpp"

#include <tutti/definition/environment.hpp>

#include <filesystem>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace tutti::test {

struct cli_result {
  int code;
  std::string out;
  std::string err;
};

// Runs `tutti args...` in `dir` with only the given environment; `piped` is standard input
// when given, else standard input is a terminal.
inline cli_result tutti_in(const std::filesystem::path& dir, std::vector<std::string> args,
                           std::map<std::string, std::string> env = {},
                           std::optional<std::string> piped = std::nullopt,
                           bool out_is_terminal = false) {
  std::istringstream in{piped.value_or("")};
  std::ostringstream out;
  std::ostringstream err;
  args.insert(args.begin(), "tutti");
  tutti::cli::cli_context ctx{dir,   tutti::definition::fixed_environment(std::move(env)),
                              in,    out,
                              err,   !piped.has_value(),
                              false, out_is_terminal};
  int code = tutti::cli::run_cli(args, ctx);
  return {code, out.str(), err.str()};
}

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

} // namespace tutti::test
