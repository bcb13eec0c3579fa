// The ranges that definition values must lie in, shared by the file readers and the builders.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tutti::definition {

template <class T>
struct value_range {
  T min;
  T max;
};

inline constexpr value_range<int> priority_range{1, 10};
inline constexpr value_range<int> cap_range{1, 1'000'000};
inline constexpr value_range<int> max_tokens_range{1, 10'000'000};
/// Definition files, in MiB: a guard against a wrong path, not a ceiling on ensembles.
inline constexpr value_range<int> definition_mib_range{1, 4096};
/// A loop's iterations: a cap that bounds a run, not a way to run forever.
inline constexpr value_range<int> max_iterations_range{1, 1000};
inline constexpr int default_max_iterations = 10;
inline constexpr value_range<double> temperature_range{0.0, 2.0};
inline constexpr double max_seconds = 365.0 * 24 * 3600;

/// A number without trailing zeros: "2.5", "2".
std::string number_text(double x);

/// "must be between 1 and 10, got 11", or nullopt when `value` is in range.
std::optional<std::string> range_problem(double value, value_range<double> range);
std::optional<std::string> range_problem(long long value, value_range<int> range);

/// Agent names are letters, digits, '-' and '_', so {agents.NAME} is unambiguous.
bool is_valid_agent_name(std::string_view name);

} // namespace tutti::definition
