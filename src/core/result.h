// Result<T>: a value or an Error, spelled like std::expected (which g++ 12 lacks in C++20).
#pragma once

#include <type_traits>
#include <utility>
#include <variant>

#include "core/error.h"

namespace ballast::core {

template <typename T>
class [[nodiscard]] Result final {
 public:
  using value_type = T;

  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}      // NOLINT: implicit
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT: implicit

  [[nodiscard]] bool has_value() const { return state_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& { return std::get<1>(state_); }
  Error&& error() && { return std::get<1>(std::move(state_)); }

  template <typename U>
  T value_or(U&& fallback) const& {
    return has_value() ? value() : static_cast<T>(std::forward<U>(fallback));
  }

  // f: T -> Result<U>
  template <typename F>
  auto and_then(F&& f) && -> std::invoke_result_t<F, T&&> {
    if (!has_value()) return std::move(*this).error();
    return std::forward<F>(f)(std::move(*this).value());
  }
  // f: T -> U
  template <typename F>
  auto transform(F&& f) && -> Result<std::invoke_result_t<F, T&&>> {
    if (!has_value()) return std::move(*this).error();
    return std::forward<F>(f)(std::move(*this).value());
  }

 private:
  std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Result<void> final {
 public:
  using value_type = void;

  Result() = default;
  Result(Error error) : error_(std::move(error)), has_error_(true) {}  // NOLINT: implicit

  [[nodiscard]] bool has_value() const { return !has_error_; }
  explicit operator bool() const { return has_value(); }
  void value() const {}
  const Error& error() const& { return error_; }
  Error&& error() && { return std::move(error_); }

  template <typename F>
  auto and_then(F&& f) && -> std::invoke_result_t<F> {
    if (!has_value()) return std::move(*this).error();
    return std::forward<F>(f)();
  }

 private:
  Error error_{ErrorCode::kInternal, ""};
  bool has_error_ = false;
};

using Status = Result<void>;

inline Status ok() { return {}; }

}  // namespace ballast::core

#define BALLAST_CONCAT_INNER_(a, b) a##b
#define BALLAST_CONCAT_(a, b) BALLAST_CONCAT_INNER_(a, b)

// Returns the error of `expr` (a Result) from the enclosing function.
#define BALLAST_TRY(expr) BALLAST_TRY_IMPL_(BALLAST_CONCAT_(ballast_try_, __COUNTER__), expr)
#define BALLAST_TRY_IMPL_(tmp, expr)                     \
  do {                                                   \
    auto tmp = (expr);                                   \
    if (!tmp.has_value()) return std::move(tmp).error(); \
  } while (false)

// Declares `decl` from the value of `expr`, or returns its error.
#define BALLAST_ASSIGN_OR_RETURN(decl, expr) \
  BALLAST_ASSIGN_OR_RETURN_IMPL_(BALLAST_CONCAT_(ballast_result_, __COUNTER__), decl, expr)
#define BALLAST_ASSIGN_OR_RETURN_IMPL_(tmp, decl, expr) \
  auto tmp = (expr);                                    \
  if (!tmp.has_value()) return std::move(tmp).error();  \
  decl = std::move(tmp).value()
