// Matching diagnostics in tests by code and message text.
#pragma once

#include <tutti/definition/diagnostic.hpp>

#include <algorithm>
#include <string>
#include <string_view>

namespace tutti::test {

/// Whether some diagnostic has `code` and a to_string() containing `text`.
inline bool has_problem(const definition::diagnostics& problems, definition::definition_errc code,
                        std::string_view text) {
  return std::any_of(problems.begin(), problems.end(), [&](const definition::diagnostic& d) {
    return d.code == code && definition::to_string(d).find(text) != std::string::npos;
  });
}

/// All diagnostics, one per line, for INFO() when an expectation fails.
inline std::string listing(const definition::diagnostics& problems) {
  std::string text;
  for (const auto& d : problems) {
    text += definition::to_string(d) + '\n';
  }
  return text;
}

} // namespace tutti::test
