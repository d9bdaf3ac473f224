#include "proto/proto_time.h"

#include <cstdint>
#include <limits>

#include "absl/status/status.h"
#include "core/time_range.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"

namespace fraudgate {
namespace {

using ::testing::HasSubstr;

google::protobuf::Timestamp Ts(int64_t seconds, int32_t nanos = 0) {
  google::protobuf::Timestamp t;
  t.set_seconds(seconds);
  t.set_nanos(nanos);
  return t;
}

TEST(ProtoTimeTest, RoundTripsAtMicrosecondPrecision) {
  const absl::Time t = absl::FromUnixMicros(1'733'000'000'123'456);
  const google::protobuf::Timestamp ts = ToProtoTime(t);
  EXPECT_EQ(ts.seconds(), 1'733'000'000);
  EXPECT_EQ(ts.nanos(), 123'456'000);
  EXPECT_EQ(FromProtoTime(ts), t);
  // Before the epoch, seconds round down and nanos stay positive, as
  // protobuf's own conversion makes them.
  const absl::Time before = absl::FromUnixMicros(-1'500'000);
  EXPECT_EQ(ToProtoTime(before).seconds(), -2);
  EXPECT_EQ(ToProtoTime(before).nanos(), 500'000'000);
  EXPECT_EQ(
      ToProtoTime(before).SerializeAsString(),
      google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(-1'500'000)
          .SerializeAsString());
  EXPECT_EQ(FromProtoTime(ToProtoTime(before)), before);
}

TEST(ProtoTimeTest, TimesOutsideTheRangeSaturateInsteadOfAborting) {
  for (absl::Time t :
       {absl::InfinitePast(), absl::FromUnixSeconds(-(1LL << 62)),
        absl::FromUnixSeconds(core::kMinUnixSeconds - 1)}) {
    EXPECT_EQ(ToProtoTime(t).seconds(), core::kMinUnixSeconds);
    EXPECT_TRUE(IsValidProtoTime(ToProtoTime(t)));
  }
  for (absl::Time t :
       {absl::InfiniteFuture(), absl::FromUnixSeconds(1LL << 62)}) {
    EXPECT_EQ(ToProtoTime(t).seconds(), core::kMaxUnixSeconds);
    EXPECT_TRUE(IsValidProtoTime(ToProtoTime(t)));
  }
  EXPECT_EQ(FromProtoTime(Ts(-(1LL << 62))),
            absl::FromUnixSeconds(core::kMinUnixSeconds));
  EXPECT_EQ(FromProtoTime(Ts(std::numeric_limits<int64_t>::max(), -5)),
            absl::FromUnixSeconds(core::kMaxUnixSeconds));
}

TEST(ProtoTimeTest, TimeFromProtoRefusesInvalidTimestampsNamingTheField) {
  EXPECT_TRUE(TimeFromProto(Ts(core::kMinUnixSeconds), "at").ok());
  EXPECT_TRUE(TimeFromProto(Ts(core::kMaxUnixSeconds, 999'999'999), "at").ok());
  for (const google::protobuf::Timestamp& bad :
       {Ts(core::kMinUnixSeconds - 1), Ts(core::kMaxUnixSeconds + 1),
        Ts(-(1LL << 62)), Ts(0, -1), Ts(0, 1'000'000'000)}) {
    absl::StatusOr<absl::Time> got = TimeFromProto(bad, "reported_at");
    ASSERT_FALSE(got.ok()) << bad.ShortDebugString();
    EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(got.status().message()),
                HasSubstr("reported_at: not a valid time"));
  }
}

}  // namespace
}  // namespace fraudgate
