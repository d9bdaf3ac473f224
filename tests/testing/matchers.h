// Test helpers for absl::StatusOr results and protobuf messages.
#ifndef FRAUDGATE_TESTS_TESTING_MATCHERS_H_
#define FRAUDGATE_TESTS_TESTING_MATCHERS_H_

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"

#define FG_TEST_CONCAT_INNER_(a, b) a##b
#define FG_TEST_CONCAT_(a, b) FG_TEST_CONCAT_INNER_(a, b)

// `ASSERT_OK_AND_ASSIGN(auto x, Foo());` fails the test when Foo() (an
// absl::StatusOr) is not OK, and otherwise moves its value into `lhs`.
#define ASSERT_OK_AND_ASSIGN(lhs, rexpr)                                   \
  FG_ASSERT_OK_AND_ASSIGN_IMPL_(FG_TEST_CONCAT_(statusor_, __LINE__), lhs, \
                                rexpr)
#define FG_ASSERT_OK_AND_ASSIGN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                  \
  ASSERT_TRUE(statusor.ok()) << statusor.status();          \
  lhs = std::move(statusor).value()

// `ASSERT_OK(Foo());` fails the test when Foo() (an absl::Status or
// absl::StatusOr) is not OK.
#define ASSERT_OK(expr)                                          \
  do {                                                           \
    const auto& fg_status_ = (expr);                             \
    ASSERT_TRUE(fg_status_.ok())                                 \
        << ::fraudgate::testing::internal::StatusOf(fg_status_); \
  } while (false)

namespace fraudgate::testing {
namespace internal {

inline const absl::Status& StatusOf(const absl::Status& status) {
  return status;
}
template <typename T>
const absl::Status& StatusOf(const absl::StatusOr<T>& status_or) {
  return status_or.status();
}

}  // namespace internal

// Matches a protobuf message equal to `expected`; explains the differences.
MATCHER_P(EqualsProto, expected, "equals the expected message") {
  std::string diff;
  google::protobuf::util::MessageDifferencer differencer;
  differencer.ReportDifferencesToString(&diff);
  if (differencer.Compare(expected, arg)) return true;
  *result_listener << "differences:\n" << diff;
  return false;
}

}  // namespace fraudgate::testing

#endif  // FRAUDGATE_TESTS_TESTING_MATCHERS_H_
