// ProbeDetector with a fake clock: a caller's novel beneficiaries in a window
// raise one alert (a metric and one masked log line) at the threshold;
// repeats and beneficiaries of the window before are not novel; a gap of more
// than a window forgets; callers are counted apart.
#include "service/probe_detector.h"

#include <sstream>
#include <string>

#include "absl/time/clock.h"
#include "core/text.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraudgate::service {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

core::Identifier Account(int i) {
  return core::Identifier{core::IdentifierKind::kBankAccount, "970436",
                          core::StrCat("99000", 10000 + i)};
}

class ProbeDetectorTest : public ::testing::Test {
 protected:
  ProbeDetectorTest()
      : logger_(&log_, LogLevel::kInfo, [this] { return now_; }),
        detector_(ProbeOptions{absl::Minutes(10), 20}, &logger_, &metrics_,
                  [this] { return now_; }) {}

  int64_t Alerts(const std::string& caller) {
    return metrics_
        .GetCounter("fraudgate_probe_alerts_total", "", {{"caller", caller}})
        ->value();
  }
  int64_t Novel(const std::string& caller) {
    return metrics_
        .GetCounter("fraudgate_novel_beneficiaries_total", "",
                    {{"caller", caller}})
        ->value();
  }

  absl::Time now_ = absl::FromUnixSeconds(1'790'000'000);
  std::ostringstream log_;
  Logger logger_;
  Metrics metrics_;
  ProbeDetector detector_;
};

TEST_F(ProbeDetectorTest, AlertsOnceAtTheThresholdWithMaskedSample) {
  for (int i = 0; i < 19; ++i) detector_.Observe("bank/stolen", Account(i));
  EXPECT_EQ(Alerts("bank/stolen"), 0);
  EXPECT_EQ(log_.str(), "");
  detector_.Observe("bank/stolen", Account(19));
  EXPECT_EQ(Alerts("bank/stolen"), 1);
  for (int i = 20; i < 60; ++i) detector_.Observe("bank/stolen", Account(i));
  EXPECT_EQ(Alerts("bank/stolen"), 1);  // once per window
  EXPECT_EQ(Novel("bank/stolen"), 60);

  const std::string log = log_.str();
  EXPECT_EQ(std::count(log.begin(), log.end(), '\n'), 1);
  EXPECT_THAT(log, HasSubstr("\"event\":\"probe_suspected\""));
  EXPECT_THAT(log, HasSubstr("\"caller\":\"bank/stolen\""));
  EXPECT_THAT(log, HasSubstr("\"novel_beneficiaries\":20"));
  EXPECT_THAT(log,
              HasSubstr("\"recent_5\":\"BANK_ACCOUNT:970436:*******019\""));
  EXPECT_THAT(log, Not(HasSubstr("9900010019")));  // never in clear
}

TEST_F(ProbeDetectorTest, RepeatedPayeesAreNotNovel) {
  // A bank paying the same 10 payees all day never alerts.
  for (int round = 0; round < 50; ++round) {
    for (int i = 0; i < 10; ++i) detector_.Observe("bank/acb", Account(i));
    now_ += absl::Minutes(1);
  }
  EXPECT_EQ(Alerts("bank/acb"), 0);
  EXPECT_EQ(Novel("bank/acb"), 10);  // only the first sight of each
}

TEST_F(ProbeDetectorTest, PreviousWindowIsRememberedAndAGapForgets) {
  for (int i = 0; i < 15; ++i) detector_.Observe("bank/a", Account(i));
  now_ += absl::Minutes(11);  // next window: the 15 are not novel
  for (int i = 0; i < 15; ++i) detector_.Observe("bank/a", Account(i));
  for (int i = 15; i < 30; ++i) detector_.Observe("bank/a", Account(i));
  EXPECT_EQ(Novel("bank/a"), 30);
  EXPECT_EQ(Alerts("bank/a"), 0);  // 15 novel in each window, threshold 20
  now_ += absl::Minutes(25);       // more than a window of silence
  for (int i = 0; i < 20; ++i) detector_.Observe("bank/a", Account(i));
  EXPECT_EQ(Alerts("bank/a"), 1);
}

TEST_F(ProbeDetectorTest, CallersAreCountedApart) {
  for (int i = 0; i < 19; ++i) {
    detector_.Observe("bank/a", Account(i));
    detector_.Observe("bank/b", Account(i + 100));
  }
  EXPECT_EQ(Alerts("bank/a"), 0);
  EXPECT_EQ(Alerts("bank/b"), 0);
  detector_.Observe("bank/b", Account(500));
  EXPECT_EQ(Alerts("bank/a"), 0);
  EXPECT_EQ(Alerts("bank/b"), 1);
}

TEST(ValidateProbeOptionsTest, NamesTheField) {
  EXPECT_TRUE(ValidateProbeOptions(ProbeOptions{}).ok());
  EXPECT_THAT(ValidateProbeOptions({absl::ZeroDuration(), 10}).message(),
              HasSubstr("probes.window_seconds"));
  EXPECT_THAT(ValidateProbeOptions({absl::Minutes(1), 0}).message(),
              HasSubstr("probes.threshold"));
  EXPECT_TRUE(
      ValidateProbeOptions({absl::Minutes(1), kMaxProbeThreshold}).ok());
  EXPECT_THAT(ValidateProbeOptions({absl::Minutes(1), kMaxProbeThreshold + 1})
                  .message(),
              HasSubstr("probes.threshold"));
}

}  // namespace
}  // namespace fraudgate::service
