// AccessLog: errors, non-ALLOW decisions and slow calls always get a line,
// one ordinary call in N does, debug logs everything, a second's budget caps
// the lines, and every call without a line is counted.
#include "service/access_log.h"

#include <chrono>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraudgate::service {
namespace {

using ::testing::HasSubstr;
using ::testing::Optional;
using Clock = std::chrono::steady_clock;

constexpr AccessLog::Call kOrdinary{
    .ok = true, .notable_decision = false, .latency = absl::Milliseconds(1)};
constexpr AccessLog::Call kFailed{
    .ok = false, .notable_decision = false, .latency = absl::Milliseconds(1)};

// The value of `series` ("name{labels}") in `metrics`' exposition.
std::string Series(const Metrics& metrics, const std::string& series) {
  const std::string text = metrics.Render();
  const size_t at = text.find(series + " ");
  if (at == std::string::npos) return "absent";
  const size_t start = at + series.size() + 1;
  return text.substr(start, text.find('\n', start) - start);
}

TEST(AccessLogTest, WhatMattersIsLoggedAndOneOrdinaryCallInN) {
  Metrics metrics;
  AccessLog log({.sample_every = 4,
                 .slow = absl::Milliseconds(50),
                 .max_lines_per_second = 1000},
                &metrics);
  const Clock::time_point now = Clock::now();
  EXPECT_THAT(log.Decide(kFailed, false, now),
              Optional(std::string_view("error")));
  EXPECT_THAT(log.Decide({.ok = true,
                          .notable_decision = true,
                          .latency = absl::Milliseconds(1)},
                         false, now),
              Optional(std::string_view("decision")));
  EXPECT_THAT(log.Decide({.ok = true,
                          .notable_decision = false,
                          .latency = absl::Milliseconds(50)},
                         false, now),
              Optional(std::string_view("slow")));
  int sampled = 0;
  for (int i = 0; i < 40; ++i) {
    const std::optional<std::string_view> why =
        log.Decide(kOrdinary, false, now);
    if (why) {
      EXPECT_EQ(*why, "sample");
      ++sampled;
    }
  }
  EXPECT_EQ(sampled, 10);
  EXPECT_THAT(log.Decide(kOrdinary, true, now),
              Optional(std::string_view("all")));

  EXPECT_EQ(Series(metrics, "fraudgate_access_log_lines_total{why=\"error\"}"),
            "1");
  EXPECT_EQ(
      Series(metrics, "fraudgate_access_log_lines_total{why=\"decision\"}"),
      "1");
  EXPECT_EQ(Series(metrics, "fraudgate_access_log_lines_total{why=\"slow\"}"),
            "1");
  EXPECT_EQ(Series(metrics, "fraudgate_access_log_lines_total{why=\"sample\"}"),
            "10");
  EXPECT_EQ(Series(metrics, "fraudgate_access_log_lines_total{why=\"all\"}"),
            "1");
  EXPECT_EQ(Series(metrics,
                   "fraudgate_access_log_unlogged_total{why=\"sampled_out\"}"),
            "30");
  EXPECT_EQ(Series(metrics,
                   "fraudgate_access_log_unlogged_total{why=\"over_budget\"}"),
            "0");
}

TEST(AccessLogTest, SampleEveryOneLogsEveryCallAndZeroNone) {
  Metrics metrics;
  AccessLog every({.sample_every = 1}, &metrics);
  AccessLog none({.sample_every = 0}, &metrics);
  const Clock::time_point now = Clock::now();
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(every.Decide(kOrdinary, false, now).has_value());
    EXPECT_FALSE(none.Decide(kOrdinary, false, now).has_value());
  }
  // Errors are logged whatever the sample.
  EXPECT_TRUE(none.Decide(kFailed, false, now).has_value());
}

TEST(AccessLogTest, ASecondsBudgetCapsTheLinesButNotDebug) {
  Metrics metrics;
  AccessLog log({.sample_every = 1, .max_lines_per_second = 3}, &metrics);
  const Clock::time_point start = Clock::now();
  int logged = 0;
  for (int i = 0; i < 10; ++i) {
    if (log.Decide(kFailed, false, start)) ++logged;
  }
  EXPECT_EQ(logged, 3);
  // Debug level: everything, past the budget.
  EXPECT_TRUE(log.Decide(kFailed, true, start).has_value());
  // The next second has a budget of its own.
  const Clock::time_point next = start + std::chrono::seconds(1);
  logged = 0;
  for (int i = 0; i < 10; ++i) {
    if (log.Decide(kOrdinary, false, next)) ++logged;
  }
  EXPECT_EQ(logged, 3);
  EXPECT_EQ(Series(metrics,
                   "fraudgate_access_log_unlogged_total{why=\"over_budget\"}"),
            "14");

  AccessLog off({.sample_every = 1, .max_lines_per_second = 0}, &metrics);
  EXPECT_FALSE(off.Decide(kFailed, false, start).has_value());
}

TEST(AccessLogTest, NegativeOptionsNameTheirField) {
  EXPECT_THAT(ValidateAccessLogOptions({.sample_every = -1}).message(),
              HasSubstr("access_log_sample_every"));
  EXPECT_THAT(
      ValidateAccessLogOptions({.slow = absl::Milliseconds(-1)}).message(),
      HasSubstr("access_log_slow_ms"));
  EXPECT_THAT(ValidateAccessLogOptions({.max_lines_per_second = -1}).message(),
              HasSubstr("access_log_max_lines_per_second"));
  EXPECT_TRUE(ValidateAccessLogOptions({}).ok());
}

}  // namespace
}  // namespace fraudgate::service
