#include "service/guarded.h"

#include <new>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"

namespace fraudgate::service {
namespace {

using ::testing::HasSubstr;

TEST(GuardedTest, PassesResultsThrough) {
  EXPECT_TRUE(Guarded("x", [] { return absl::OkStatus(); }).ok());
  absl::StatusOr<int> value =
      Guarded("x", []() -> absl::StatusOr<int> { return 7; });
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(*value, 7);
  EXPECT_EQ(Guarded("x", [] { return absl::NotFoundError("gone"); }).code(),
            absl::StatusCode::kNotFound);
}

TEST(GuardedTest, AFailedProtobufCheckBecomesInternal) {
  // What a Timestamp before 0001-01-01 did inside an UploadReports reactor:
  // protobuf's CHECK throws, and the call was left unfinished.
  const int64_t before_year_one = int64_t{-62'135'596'801} * 1'000'000;
  absl::StatusOr<google::protobuf::Timestamp> got = Guarded(
      "UploadReports", [&]() -> absl::StatusOr<google::protobuf::Timestamp> {
        return google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(
            before_year_one);
      });
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(std::string(got.status().message()),
              HasSubstr("UploadReports: internal error"));
}

TEST(GuardedTest, AnyExceptionBecomesInternal) {
  absl::Status s =
      Guarded("screening", []() -> absl::Status { throw std::bad_alloc(); });
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(std::string(s.message()), HasSubstr("screening: internal error"));
  s = Guarded("screening", []() -> absl::Status { throw 42; });
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal);
}

}  // namespace
}  // namespace fraudgate::service
