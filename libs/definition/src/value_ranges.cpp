#include <tutti/definition/value_ranges.hpp>

#include <algorithm>

namespace tutti::definition {
std::string number_text(double x) {
  std::string s = std::to_string(x);
  s.erase(s.find_last_not_of('0') + 1);
  if (!s.empty() && s.back() == '.') {
    s.pop_back();
  }
  return s;
}

std::optional<std::string> range_problem(double value, value_range<double> range) {
  if (value >= range.min && value <= range.max) { // false for nan too
    return std::nullopt;
  }
  return "must be between " + number_text(range.min) + " and " + number_text(range.max) + ", got " +
         number_text(value);
}

std::optional<std::string> range_problem(long long value, value_range<int> range) {
  if (value >= range.min && value <= range.max) {
    return std::nullopt;
  }
  return "must be between " + std::to_string(range.min) + " and " + std::to_string(range.max) +
         ", got " + std::to_string(value);
}

bool is_valid_agent_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
}

} // namespace tutti::definition
