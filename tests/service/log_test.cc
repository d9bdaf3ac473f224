// Logger: one JSON object a line with time, level, event and the fields in
// order; lines below the level are dropped; identifiers only masked.
#include "service/log.h"

#include <cmath>
#include <limits>
#include <sstream>

#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraudgate::service {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Optional;

absl::Time FixedTime() {
  return absl::FromCivil(absl::CivilSecond(2026, 11, 29, 8, 15, 2),
                         absl::UTCTimeZone()) +
         absl::Milliseconds(114);
}

TEST(LoggerTest, WritesOneJsonObjectALine) {
  std::ostringstream out;
  Logger logger(&out, LogLevel::kInfo, FixedTime);
  logger.Log(LogLevel::kWarning, "probe_suspected",
             LogFields()
                 .Add("caller", "bank/acb \"hub\"")
                 .Add("count", int64_t{1000})
                 .Add("ratio", 0.5)
                 .Add("alerted", true));
  logger.Log(LogLevel::kInfo, "retention_done");
  EXPECT_EQ(out.str(),
            "{\"time\":\"2026-11-29T08:15:02.114Z\",\"level\":\"warning\","
            "\"event\":\"probe_suspected\",\"caller\":\"bank/acb \\\"hub\\\"\","
            "\"count\":1000,\"ratio\":0.5,\"alerted\":true}\n"
            "{\"time\":\"2026-11-29T08:15:02.114Z\",\"level\":\"info\","
            "\"event\":\"retention_done\"}\n");
}

TEST(LoggerTest, NonFiniteNumbersAreNull) {
  std::ostringstream out;
  Logger logger(&out, LogLevel::kInfo, FixedTime);
  logger.Log(LogLevel::kInfo, "x",
             LogFields()
                 .Add("nan", std::nan(""))
                 .Add("inf", std::numeric_limits<double>::infinity()));
  EXPECT_THAT(out.str(), HasSubstr(R"("nan":null,"inf":null})"));
}

TEST(LoggerTest, DropsLinesBelowTheLevel) {
  std::ostringstream out;
  Logger logger(&out, LogLevel::kWarning, FixedTime);
  logger.Log(LogLevel::kInfo, "dropped");
  logger.Log(LogLevel::kDebug, "dropped");
  logger.Log(LogLevel::kError, "kept");
  EXPECT_THAT(out.str(), Not(HasSubstr("dropped")));
  EXPECT_THAT(out.str(), HasSubstr("\"event\":\"kept\""));
  logger.set_min_level(LogLevel::kDebug);
  EXPECT_TRUE(logger.Enabled(LogLevel::kDebug));
  logger.Log(LogLevel::kDebug, "now_kept");
  EXPECT_THAT(out.str(), HasSubstr("\"level\":\"debug\""));
}

TEST(LoggerTest, IdentifiersAreMasked) {
  std::ostringstream out;
  Logger logger(&out, LogLevel::kInfo, FixedTime);
  logger.Log(
      LogLevel::kInfo, "x",
      LogFields().Identifier(
          "beneficiary", core::Identifier{core::IdentifierKind::kBankAccount,
                                          "970436", "0123456789"}));
  EXPECT_THAT(out.str(),
              HasSubstr("\"beneficiary\":\"BANK_ACCOUNT:970436:*******789\""));
  EXPECT_THAT(out.str(), Not(HasSubstr("0123456")));
}

TEST(LogLevelTest, FromName) {
  EXPECT_THAT(LogLevelFromName("debug"), Optional(LogLevel::kDebug));
  EXPECT_THAT(LogLevelFromName("info"), Optional(LogLevel::kInfo));
  EXPECT_THAT(LogLevelFromName("warning"), Optional(LogLevel::kWarning));
  EXPECT_THAT(LogLevelFromName("error"), Optional(LogLevel::kError));
  EXPECT_EQ(LogLevelFromName("INFO"), std::nullopt);
  EXPECT_EQ(LogLevelFromName("warn"), std::nullopt);
}

}  // namespace
}  // namespace fraudgate::service
