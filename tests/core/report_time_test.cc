#include "core/report_time.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "core/time_range.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraudgate::core {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

absl::Time At(int y, int mo, int d, int h, int mi, int s, int offset_hours) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, s),
                         absl::FixedTimeZone(offset_hours * 3600));
}

absl::Time Vietnam(int y, int mo, int d, int h = 0, int mi = 0, int s = 0) {
  return At(y, mo, d, h, mi, s, 7);
}

struct ValidCase {
  std::string text;
  absl::Time want;
};

void PrintTo(const ValidCase& c, std::ostream* os) { *os << c.text; }

class ParseReportTimeValidTest : public ::testing::TestWithParam<ValidCase> {};

TEST_P(ParseReportTimeValidTest, Parses) {
  absl::StatusOr<absl::Time> got =
      ParseReportTime(GetParam().text, "reported_at");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, GetParam().want)
      << absl::FormatTime(absl::RFC3339_full, *got, absl::UTCTimeZone());
}

INSTANTIATE_TEST_SUITE_P(
    All, ParseReportTimeValidTest,
    ::testing::Values(
        ValidCase{"2024-12-05", Vietnam(2024, 12, 5)},
        ValidCase{"2024-12-05T14:30", Vietnam(2024, 12, 5, 14, 30)},
        ValidCase{"2024-12-05T14:30:00", Vietnam(2024, 12, 5, 14, 30)},
        ValidCase{"2024-12-05T14:30:59", Vietnam(2024, 12, 5, 14, 30, 59)},
        ValidCase{"2024-12-05 14:30:00", Vietnam(2024, 12, 5, 14, 30)},
        ValidCase{"2024-12-05 14:30", Vietnam(2024, 12, 5, 14, 30)},
        ValidCase{"2024-12-05T14:30:00.250",
                  Vietnam(2024, 12, 5, 14, 30) + absl::Milliseconds(250)},
        ValidCase{"2024-12-05T14:30:00.000000001+07:00",
                  Vietnam(2024, 12, 5, 14, 30) + absl::Nanoseconds(1)},
        ValidCase{"2024-12-05T14:30:00Z", At(2024, 12, 5, 14, 30, 0, 0)},
        ValidCase{"2024-12-05T14:30Z", At(2024, 12, 5, 14, 30, 0, 0)},
        ValidCase{"2024-12-05T14:30:00+07:00", Vietnam(2024, 12, 5, 14, 30)},
        ValidCase{"2024-12-05T14:30:00+0700", Vietnam(2024, 12, 5, 14, 30)},
        ValidCase{"2024-12-05T14:30-05:00", At(2024, 12, 5, 14, 30, 0, -5)},
        ValidCase{"2024-12-05T14:30:00-05:00", At(2024, 12, 5, 19, 30, 0, 0)},
        ValidCase{"2024-12-05 14:30:00.5+07:00",
                  Vietnam(2024, 12, 5, 14, 30) + absl::Milliseconds(500)},
        ValidCase{"2024-12-05T00:30:00Z", Vietnam(2024, 12, 5, 7, 30)},
        ValidCase{"  2024-12-05  ", Vietnam(2024, 12, 5)},
        ValidCase{" 2024-12-05T14:30:00Z ", At(2024, 12, 5, 14, 30, 0, 0)},
        ValidCase{"2024-02-29", Vietnam(2024, 2, 29)},
        ValidCase{"2024-12-31T23:59:59", Vietnam(2024, 12, 31, 23, 59, 59)}));

class ParseReportTimeInvalidTest
    : public ::testing::TestWithParam<std::string> {};

TEST_P(ParseReportTimeInvalidTest, RejectsNamingFieldAndText) {
  absl::StatusOr<absl::Time> got = ParseReportTime(GetParam(), "reported_at");
  ASSERT_FALSE(got.ok()) << absl::FormatTime(*got);
  EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(got.status().message()), StartsWith("reported_at: "));
  EXPECT_THAT(std::string(got.status().message()),
              HasSubstr(absl::StrCat("\"", GetParam(), "\"")));
}

INSTANTIATE_TEST_SUITE_P(
    All, ParseReportTimeInvalidTest,
    ::testing::Values("05/12/2024", "2024/12/05", "2024-13-01", "2024-00-10",
                      "2024-12-00", "2024-12-32",
                      // Days that do not exist in their month.
                      "2024-02-30", "2023-02-29", "2024-04-31",
                      "2024-12-05T25:00", "2024-12-05T24:00",
                      "2024-12-05T14:60", "2024-12-05T14:30:61",
                      // Trailing garbage.
                      "2024-12-05x", "2024-12-05T", "2024-12-05T14:30x",
                      "2024-12-05T14:30:00Zjunk", "2024-12-05T14:30:00+07:00 x",
                      "2024-12-05T14:30:00.", "2024-12-05T14:30:00+25:00",
                      // Not ISO 8601 shapes that absl alone would read.
                      "24-12-05", "2024-1-5", "+2024-12-05", "02024-12-05",
                      "2024-12-0514:30", "2024-12-05  14:30",
                      "2024-12-05T 14:30",
                      // A zone needs a time.
                      "2024-12-05Z", "2024-12-05+07:00", "h\xC3\xB4m nay"));

TEST(ParseReportTimeTest, RejectsEmptyAndBlank) {
  for (const char* text : {"", " ", "   "}) {
    absl::StatusOr<absl::Time> got = ParseReportTime(text, "reported_at");
    ASSERT_FALSE(got.ok()) << '"' << text << '"';
    EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(got.status().message(), "reported_at: empty");
  }
}

TEST(ParseReportTimeTest, ErrorQuotesTrimmedTextAndNamesGivenField) {
  absl::StatusOr<absl::Time> got = ParseReportTime("  05/12/2024 ", "when");
  ASSERT_FALSE(got.ok());
  EXPECT_THAT(std::string(got.status().message()),
              StartsWith("when: \"05/12/2024\" "));
}

TEST(ParseReportTimeTest, TimesOutsideTheTimestampRangeAreRefused) {
  // 0001-01-01 in Vietnam time is 0000-12-31T17:00Z, before the first time
  // a google.protobuf.Timestamp holds; the police CSV import used to abort
  // converting it.
  for (const char* text :
       {"0001-01-01", "0001-01-01T06:59:59", "0000-12-31T23:00:00Z",
        "9999-12-31T23:59:59-01:00"}) {
    absl::StatusOr<absl::Time> got = ParseReportTime(text, "reported_at");
    ASSERT_FALSE(got.ok()) << text;
    EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(got.status().message()),
                StartsWith(absl::StrCat("reported_at: \"", text,
                                        "\" is out of range")));
  }
  // The ends of the range themselves are times.
  EXPECT_EQ(*ParseReportTime("0001-01-01T07:00", "t"),
            absl::FromUnixSeconds(kMinUnixSeconds));
  EXPECT_EQ(*ParseReportTime("9999-12-31T23:59:59Z", "t"),
            absl::FromUnixSeconds(kMaxUnixSeconds));
}

}  // namespace
}  // namespace fraudgate::core
