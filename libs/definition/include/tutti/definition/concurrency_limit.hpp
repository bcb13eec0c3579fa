// How many requests may be in flight at once: a positive number, or no limit at all.
#pragma once

#include <optional>
#include <string>

namespace tutti::definition {

class concurrency_limit {
 public:
  static concurrency_limit unlimited() { return concurrency_limit{}; }
  static concurrency_limit at_most(int n) { return concurrency_limit{n}; }

  bool is_unlimited() const { return !max_.has_value(); }
  /// The limit; only meaningful when !is_unlimited().
  int max() const { return max_.value_or(0); }

  friend bool operator==(const concurrency_limit&, const concurrency_limit&) = default;

 private:
  concurrency_limit() = default;
  explicit concurrency_limit(int n) : max_(n) {}
  std::optional<int> max_;
};

/// "unlimited" or the number, as written in TOML.
std::string to_string(const concurrency_limit& l);

} // namespace tutti::definition
