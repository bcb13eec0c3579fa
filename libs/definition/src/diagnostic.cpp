#include <tutti/definition/diagnostic.hpp>

namespace tutti::definition {

std::string_view to_string(definition_errc code) {
  switch (code) {
  case definition_errc::unreadable_file:
    return "unreadable_file";
  case definition_errc::syntax_error:
    return "syntax_error";
  case definition_errc::missing_field:
    return "missing_field";
  case definition_errc::empty_field:
    return "empty_field";
  case definition_errc::wrong_type:
    return "wrong_type";
  case definition_errc::out_of_range:
    return "out_of_range";
  case definition_errc::unknown_key:
    return "unknown_key";
  case definition_errc::invalid_value:
    return "invalid_value";
  case definition_errc::conflicting_fields:
    return "conflicting_fields";
  case definition_errc::duplicate_agent:
    return "duplicate_agent";
  case definition_errc::unknown_agent:
    return "unknown_agent";
  case definition_errc::dependency_cycle:
    return "dependency_cycle";
  case definition_errc::unknown_profile:
    return "unknown_profile";
  case definition_errc::unknown_backend:
    return "unknown_backend";
  case definition_errc::no_model:
    return "no_model";
  case definition_errc::not_found:
    return "not_found";
  }
  return "invalid_value";
}

std::string to_string(const diagnostic& d) {
  std::string out = d.where.file;
  if (!out.empty() && d.where.line > 0) {
    out += ':' + std::to_string(d.where.line);
    if (d.where.column > 0) {
      out += ':' + std::to_string(d.where.column);
    }
  }
  if (!out.empty()) {
    out += ": ";
  }
  if (!d.field.empty()) {
    out += d.field + ": ";
  }
  return out + d.message;
}

} // namespace tutti::definition
