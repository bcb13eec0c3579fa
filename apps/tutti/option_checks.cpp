#include "option_checks.hpp"

#include <tutti/definition/value_ranges.hpp>

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace tutti::cli {
namespace {

// The number `text` says, if it is all one number (and whole, unless `fractions`).
std::optional<double> number_in(const std::string& text, bool fractions) {
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(value) ||
      (!fractions && value != std::floor(value))) {
    return std::nullopt;
  }
  return value;
}

} // namespace

CLI::Validator number_from(double min, double max, bool fractions) {
  return CLI::Validator(
      [=](std::string& text) -> std::string {
        auto value = number_in(text, fractions);
        if (value && *value >= min && *value <= max) {
          return {};
        }
        return "'" + text + "' is not a number from " + definition::number_text(min) + " to " +
               definition::number_text(max);
      },
      "NUMBER");
}

CLI::Validator port_number() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        auto value = number_in(text, false);
        if (value && *value >= 0 && *value <= 65535) {
          return {};
        }
        return "'" + text + "' is not a port (0 to 65535)";
      },
      "PORT");
}

} // namespace tutti::cli
