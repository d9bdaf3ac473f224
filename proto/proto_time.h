// absl::Time <-> google.protobuf.Timestamp, at microsecond precision (the
// precision of every time fraudgate stores).
//
// A Timestamp holds 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59.999999999Z
// with nanos in [0, 1e9) (core/time_range.h: kMinUnixSeconds,
// kMaxUnixSeconds). protobuf's own TimeUtil aborts (a CHECK) outside that
// range, so none of these functions use it: a time from the wire is checked
// with TimeFromProto, and the other two saturate instead of failing.
#ifndef FRAUDGATE_PROTO_PROTO_TIME_H_
#define FRAUDGATE_PROTO_PROTO_TIME_H_

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/time_range.h"
#include "google/protobuf/timestamp.pb.h"

namespace fraudgate {

// `t` in a Timestamp, truncated to the microsecond; times outside the
// Timestamp range (including infinite ones) become its first or last
// second.
inline google::protobuf::Timestamp ToProtoTime(absl::Time t) {
  t = std::clamp(t, absl::FromUnixSeconds(core::kMinUnixSeconds),
                 absl::FromUnixSeconds(core::kMaxUnixSeconds));
  const int64_t seconds = absl::ToUnixSeconds(t);  // rounds down
  google::protobuf::Timestamp out;
  out.set_seconds(seconds);
  out.set_nanos(static_cast<int32_t>(
      absl::ToInt64Microseconds(t - absl::FromUnixSeconds(seconds)) * 1000));
  return out;
}

// True when `t` is a Timestamp protobuf accepts: seconds in range, nanos in
// [0, 999999999].
inline bool IsValidProtoTime(const google::protobuf::Timestamp& t) {
  return t.seconds() >= core::kMinUnixSeconds &&
         t.seconds() <= core::kMaxUnixSeconds && t.nanos() >= 0 &&
         t.nanos() <= 999'999'999;
}

// A stored (already checked) Timestamp as an absl::Time, truncated to the
// microsecond; an unset one is the Unix epoch. An out-of-range one saturates
// as ToProtoTime does, nanos outside [0, 1e9) are dropped: never a failure.
inline absl::Time FromProtoTime(const google::protobuf::Timestamp& t) {
  const int64_t seconds =
      std::clamp(t.seconds(), core::kMinUnixSeconds, core::kMaxUnixSeconds);
  const int32_t nanos =
      t.nanos() >= 0 && t.nanos() <= 999'999'999 ? t.nanos() : 0;
  return absl::FromUnixSeconds(seconds) + absl::Microseconds(nanos / 1000);
}

// A Timestamp from a request as an absl::Time (as FromProtoTime), or
// INVALID_ARGUMENT "<field>: ..." when it is not a valid Timestamp.
inline absl::StatusOr<absl::Time> TimeFromProto(
    const google::protobuf::Timestamp& t, std::string_view field) {
  if (!IsValidProtoTime(t)) {
    return absl::InvalidArgumentError(
        std::string(field) + ": not a valid time (seconds " +
        std::to_string(t.seconds()) + ", nanos " + std::to_string(t.nanos()) +
        "; a Timestamp lies within 0001-01-01 and 9999-12-31 with nanos in "
        "0..999999999)");
  }
  return FromProtoTime(t);
}

}  // namespace fraudgate

#endif  // FRAUDGATE_PROTO_PROTO_TIME_H_
