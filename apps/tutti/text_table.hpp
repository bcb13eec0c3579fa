// Aligned columns for terminal output; the last column is never padded.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace tutti::cli {

class text_table {
 public:
  explicit text_table(std::vector<std::string> header);
  void add_row(std::vector<std::string> cells);
  /// Writes the header and rows, each line indented by `indent` spaces.
  void print(std::ostream& out, std::size_t indent = 0) const;

 private:
  std::vector<std::vector<std::string>> rows_; // rows_[0] is the header
};

} // namespace tutti::cli
