// absl::Time <-> google.protobuf.Timestamp, at microsecond precision (the
// precision of every time fraudgate stores).
#ifndef FRAUDGATE_PROTO_PROTO_TIME_H_
#define FRAUDGATE_PROTO_PROTO_TIME_H_

#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/protobuf/util/time_util.h"

namespace fraudgate {

inline google::protobuf::Timestamp ToProtoTime(absl::Time t) {
  return google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(
      absl::ToUnixMicros(t));
}

// An unset Timestamp (0 seconds, 0 nanos) is the Unix epoch.
inline absl::Time FromProtoTime(const google::protobuf::Timestamp& t) {
  return absl::FromUnixMicros(
      google::protobuf::util::TimeUtil::TimestampToMicroseconds(t));
}

}  // namespace fraudgate

#endif  // FRAUDGATE_PROTO_PROTO_TIME_H_
