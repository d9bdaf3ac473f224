// RETURN_IF_ERROR / ASSIGN_OR_RETURN for absl::Status and absl::StatusOr.
// Debian's Abseil 20220623 ships neither, so the project keeps its own pair
// here and nowhere else.
#ifndef FRAUDGATE_CORE_STATUS_MACROS_H_
#define FRAUDGATE_CORE_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define FG_STATUS_CONCAT_INNER_(a, b) a##b
#define FG_STATUS_CONCAT_(a, b) FG_STATUS_CONCAT_INNER_(a, b)

// Evaluates `expr` (an absl::Status); returns it from the enclosing function
// when it is not OK.
#define RETURN_IF_ERROR(expr)                \
  do {                                       \
    ::absl::Status fg_status_ = (expr);      \
    if (!fg_status_.ok()) return fg_status_; \
  } while (false)

// `ASSIGN_OR_RETURN(auto x, Foo());` evaluates Foo() (an absl::StatusOr<T>),
// returns its status when not OK, and otherwise moves the value into `lhs`.
#define ASSIGN_OR_RETURN(lhs, rexpr)                                        \
  FG_ASSIGN_OR_RETURN_IMPL_(FG_STATUS_CONCAT_(fg_statusor_, __LINE__), lhs, \
                            rexpr)

#define FG_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr)    \
  auto statusor = (rexpr);                                 \
  if (!statusor.ok()) return std::move(statusor).status(); \
  lhs = std::move(statusor).value()

#endif  // FRAUDGATE_CORE_STATUS_MACROS_H_
