// Parsing of the `reported_at` column of the police CSV (DESIGN §7).
#ifndef FRAUDGATE_CORE_REPORT_TIME_H_
#define FRAUDGATE_CORE_REPORT_TIME_H_

#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace fraudgate::core {

// Parses an ISO 8601 date ("2024-12-05") or date-time ("2024-12-05T14:30",
// "2024-12-05T14:30:00", "2024-12-05 14:30:00", optionally with fractional
// seconds and a zone "Z" / "+07:00" / "+0700"). A value without a zone is
// Vietnam time (+07:00); a date alone is midnight +07:00. Surrounding spaces
// are ignored. InvalidArgument "<field>: ..." for anything else, including
// impossible dates such as 2024-02-30 and times outside the range of
// core/time_range.h (e.g. 0001-01-01, which is 0000-12-31T17:00Z).
absl::StatusOr<absl::Time> ParseReportTime(std::string_view text,
                                           std::string_view field);

}  // namespace fraudgate::core

#endif  // FRAUDGATE_CORE_REPORT_TIME_H_
