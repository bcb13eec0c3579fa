// What can go wrong with a run store, as a value: a code and a message that names the file.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace tutti::store {

/// not_a_store: the file is corrupt, another program's database or from a newer tutti; a
/// person must look at it. unwritable: the store cannot take writes (read-only, a full disk,
/// no such directory); a run goes on without it. not_found, ambiguous: no run, or several, for
/// the id asked; running: the run asked for is still going.
enum class store_errc : std::int8_t { not_a_store, unwritable, not_found, ambiguous, running };

struct store_error {
  store_errc code = store_errc::not_a_store;
  std::string message; // names the store's path, and the run id where one was asked
};

/// Either a T or a store_error.
template <class T>
class store_outcome {
 public:
  store_outcome(T value) : state_(std::move(value)) {}
  store_outcome(store_error error) : state_(std::move(error)) {}

  explicit operator bool() const { return std::holds_alternative<T>(state_); }
  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  const store_error& error() const {
    assert(!*this);
    return std::get<store_error>(state_);
  }

 private:
  std::variant<T, store_error> state_;
};

} // namespace tutti::store
