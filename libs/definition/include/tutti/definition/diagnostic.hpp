// A problem found in an ensemble or configuration, with where it is and what to do about it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tutti::definition {

/// What kind of problem a diagnostic reports; the message carries the details.
enum class definition_errc {
  unreadable_file,
  syntax_error,
  missing_field,
  empty_field,
  wrong_type,
  out_of_range,
  unknown_key,
  invalid_value,
  conflicting_fields,
  duplicate_agent,
  unknown_agent,
  dependency_cycle,
  unknown_profile,
  unknown_backend,
  no_model,
  not_found,
};

/// A position in a source file; line and column are 1-based, 0 when unknown.
struct source_location {
  std::string file;
  int line = 0;
  int column = 0;
};

struct diagnostic {
  definition_errc code = definition_errc::invalid_value;
  source_location where;
  std::string field; // dotted path such as "agents.security.depends_on", empty when none
  std::string message;
};

using diagnostics = std::vector<diagnostic>;

/// "unknown_profile": the code as the JSON of errors names it.
std::string_view to_string(definition_errc code);

/// "file:line:col: field: message", the shape compilers use, so editors can jump to it.
std::string to_string(const diagnostic& d);

} // namespace tutti::definition
