#include "core/report_time.h"

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "core/time_range.h"

namespace fraudgate::core {
namespace {

constexpr int kVietnamOffsetSeconds = 7 * 3600;

// Tried in turn. "%Ez" takes "Z", "+07:00", "+0700" and "+07"; "%E*S" takes
// seconds with or without a fraction. A value without a zone is read in the
// zone passed to absl::ParseTime.
//
// absl::ParseTime already refuses days that do not exist in the month
// ("Out-of-range field" for 2024-02-30) and hours or minutes out of range, so
// no separate calendar check is needed; the tests pin that behaviour.
constexpr const char* kFormats[] = {
    "%Y-%m-%d",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%dT%H:%M%Ez",
    "%Y-%m-%dT%H:%M:%E*S",
    "%Y-%m-%dT%H:%M:%E*S%Ez",
};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// "%Y" takes any number of digits and a sign, and "%m"/"%d" one digit, so
// absl alone would read "24-12-05" as the year 24. ISO 8601 wants exactly
// YYYY-MM-DD.
bool HasIsoDate(std::string_view s) {
  if (s.size() < 10 || s[4] != '-' || s[7] != '-') return false;
  for (int i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!IsDigit(s[i])) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<absl::Time> ParseReportTime(std::string_view text,
                                           std::string_view field) {
  const std::size_t begin = text.find_first_not_of(' ');
  if (begin == std::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat(absl::string_view(field.data(), field.size()), ": empty"));
  }
  text = text.substr(begin, text.find_last_not_of(' ') + 1 - begin);

  auto invalid = [&]() {
    return absl::InvalidArgumentError(absl::StrCat(
        absl::string_view(field.data(), field.size()), ": \"",
        absl::string_view(text.data(), text.size()),
        "\" is not an ISO 8601 date or date-time such as 2024-12-05 or "
        "2024-12-05T14:30:00+07:00"));
  };
  if (!HasIsoDate(text)) return invalid();

  // The space separator is rewritten rather than given its own formats: a
  // space in an absl format matches any run of whitespace, even an empty one.
  std::string normalized(text);
  if (normalized.size() > 10 && normalized[10] == ' ') normalized[10] = 'T';

  const absl::TimeZone vietnam = absl::FixedTimeZone(kVietnamOffsetSeconds);
  for (const char* format : kFormats) {
    absl::Time t;
    if (!absl::ParseTime(format, normalized, vietnam, &t, nullptr)) continue;
    if (!InTimeRange(t)) {
      return absl::InvalidArgumentError(absl::StrCat(
          absl::string_view(field.data(), field.size()), ": \"",
          absl::string_view(text.data(), text.size()),
          "\" is out of range (0001-01-01T00:00Z to 9999-12-31T23:59:59Z)"));
    }
    return t;
  }
  return invalid();
}

}  // namespace fraudgate::core
