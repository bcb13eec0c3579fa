// With --json, a command's errors are JSON too: {"error": {...}, "errors": [...]} on standard
// output, each error with its code, message and, when it has them, file, line, column and
// field. Warnings and progress still reach standard error as they come.
#pragma once

#include <tutti/definition/diagnostic.hpp>

#include <iosfwd>
#include <memory>
#include <streambuf>
#include <string>
#include <vector>

namespace tutti::cli {

/// The error stream of a --json command: lines that begin "error: " are kept, the rest are
/// passed on to `through` as each line ends.
class error_capture : public std::streambuf {
 public:
  explicit error_capture(std::ostream& through);
  ~error_capture() override;

  /// The errors said so far, without their "error: ", in order.
  const std::vector<std::string>& errors();

 protected:
  int overflow(int c) override;
  int sync() override;

 private:
  void end_line();

  std::ostream& through_;
  std::string line_;
  std::vector<std::string> errors_;
};

/// The JSON document of a command's errors: the problems of files first (with their codes and
/// positions), then the other errors said (code "usage" for a usage mistake, else
/// "invalid_input").
std::string errors_json(const definition::diagnostics& problems,
                        const std::vector<std::string>& said);

} // namespace tutti::cli
