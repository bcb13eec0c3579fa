// The result of loading or checking something: a value, or every problem found on the way.
#pragma once

#include <tutti/definition/diagnostic.hpp>

#include <cassert>
#include <utility>
#include <variant>

namespace tutti::definition {

/// Either a T or a non-empty list of diagnostics. Loading collects all problems rather than
/// stopping at the first, so the failure side is a list.
template <class T>
class outcome {
 public:
  outcome(T value) : state_(std::move(value)) {}
  outcome(diagnostics problems) : state_(std::move(problems)) {
    assert(!std::get<diagnostics>(state_).empty());
  }

  bool has_value() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return has_value(); }

  const T& value() const& { return std::get<T>(state_); }
  T& value() & { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  const T* operator->() const { return &value(); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); } // so that std::move(*x) moves, as with std::optional

  /// The problems; empty when there is a value.
  const diagnostics& problems() const {
    static const diagnostics none;
    return has_value() ? none : std::get<diagnostics>(state_);
  }

 private:
  std::variant<T, diagnostics> state_;
};

} // namespace tutti::definition
