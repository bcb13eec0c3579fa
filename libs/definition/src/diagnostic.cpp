#include <tutti/definition/diagnostic.hpp>

namespace tutti::definition {

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
