// The times fraudgate takes: those a google.protobuf.Timestamp can hold,
// 0001-01-01T00:00:00Z up to 9999-12-31T23:59:59Z (and its fraction of a
// second). Every time that comes in (a request's Timestamp, a date in a
// police CSV or a console query) is checked against it, so no conversion
// downstream meets a time it cannot represent.
#ifndef FRAUDGATE_CORE_TIME_RANGE_H_
#define FRAUDGATE_CORE_TIME_RANGE_H_

#include <cstdint>

#include "absl/time/time.h"

namespace fraudgate::core {

// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z in Unix seconds.
inline constexpr int64_t kMinUnixSeconds = -62'135'596'800;
inline constexpr int64_t kMaxUnixSeconds = 253'402'300'799;

// True when `t` lies within the range above (its last second included).
inline bool InTimeRange(absl::Time t) {
  return t >= absl::FromUnixSeconds(kMinUnixSeconds) &&
         t < absl::FromUnixSeconds(kMaxUnixSeconds + 1);
}

}  // namespace fraudgate::core

#endif  // FRAUDGATE_CORE_TIME_RANGE_H_
