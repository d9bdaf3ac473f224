#include "service/config.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/convert.h"
#include "tests/testing/matchers.h"
#include "tests/testing/temp_dir.h"

namespace fraudgate::service {
namespace {

using ::testing::HasSubstr;

TEST(ConfigTest, EmptyFileGivesTheDocumentedDefaults) {
  auto config = ParseConfig("", "f.conf");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->server().listen(), "127.0.0.1:50051");
  EXPECT_EQ(config->server().data_dir(), "./var/data");
  EXPECT_EQ(config->store().block_cache_mb(), 64);
  // The proto defaults and the core defaults are the same numbers.
  const core::ScoringOptions from_config =
      ScoringOptionsFromConfig(config->scoring());
  const core::ScoringOptions defaults;
  EXPECT_EQ(from_config.beneficiary_account_confirmed,
            defaults.beneficiary_account_confirmed);
  EXPECT_EQ(from_config.beneficiary_account_suspected,
            defaults.beneficiary_account_suspected);
  EXPECT_EQ(from_config.beneficiary_account_number_confirmed,
            defaults.beneficiary_account_number_confirmed);
  EXPECT_EQ(from_config.beneficiary_account_number_suspected,
            defaults.beneficiary_account_number_suspected);
  EXPECT_EQ(from_config.beneficiary_phone_confirmed,
            defaults.beneficiary_phone_confirmed);
  EXPECT_EQ(from_config.beneficiary_phone_suspected,
            defaults.beneficiary_phone_suspected);
  EXPECT_EQ(from_config.contact_confirmed, defaults.contact_confirmed);
  EXPECT_EQ(from_config.contact_suspected, defaults.contact_suspected);
  EXPECT_EQ(from_config.memo_confirmed, defaults.memo_confirmed);
  EXPECT_EQ(from_config.memo_suspected, defaults.memo_suspected);
  EXPECT_EQ(from_config.extra_report_points, defaults.extra_report_points);
  EXPECT_EQ(from_config.extra_report_max, defaults.extra_report_max);
  EXPECT_EQ(from_config.large_amount_points, defaults.large_amount_points);
  EXPECT_EQ(from_config.large_amount, defaults.large_amount);
  EXPECT_EQ(from_config.stale_report_days, defaults.stale_report_days);
  EXPECT_EQ(from_config.block_threshold, defaults.block_threshold);
  EXPECT_EQ(from_config.hold_threshold, defaults.hold_threshold);
  EXPECT_EQ(from_config.warn_threshold, defaults.warn_threshold);
}

TEST(ConfigTest, ValuesAreRead) {
  auto config = ParseConfig(
      "server { listen: \"127.0.0.1:6000\" }\n"
      "scoring {\n  block_threshold: 90\n  memo_suspected: 20\n}\n",
      "f.conf");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->server().listen(), "127.0.0.1:6000");
  EXPECT_EQ(config->scoring().block_threshold(), 90);
  EXPECT_EQ(config->scoring().memo_suspected(), 20);
  EXPECT_EQ(config->scoring().hold_threshold(), 60);
}

TEST(ConfigTest, ErrorsNameTheLineAndField) {
  struct Case {
    std::string text;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"server {\n  listne: \"x\"\n}\n", "f.conf:2:"},
      {"server {\n  listne: \"x\"\n}\n", "listne"},
      {"scoring {\n  block_threshold: \"high\"\n}\n", "f.conf:2:"},
      {"scoring {\n  warn_threshold: 30\n  block_threshold: 50\n}\n",
       "f.conf:3: scoring.block_threshold: must be between 60 and 100 (got "
       "50)"},
      {"scoring { memo_confirmed: 101 }", "scoring.memo_confirmed"},
      {"store { block_cache_mb: 0 }", "store.block_cache_mb"},
      {"limits { max_in_flight: 0 }", "f.conf: limits.max_in_flight"},
      {"limits { screening_rate: -1 }", "limits.screening_rate"},
      {"server { tls_refresh_seconds: 0 }", "server.tls_refresh_seconds"},
      {"limits { max_stream_seconds: 0 }", "limits.max_stream_seconds"},
      {"probes { threshold: 0 }", "f.conf: probes.threshold"},
      {"probes { window_seconds: -5 }", "f.conf: probes.window_seconds"},
      {"scoring {", "f.conf:1:"},
  };
  for (const auto& c : cases) {
    auto config = ParseConfig(c.text, "f.conf");
    ASSERT_FALSE(config.ok()) << c.text;
    EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(config.status().message(), HasSubstr(c.expected)) << c.text;
  }
}

TEST(ConfigTest, LimitsDefaultsAreTheServerDefaultsAndCanBeSet) {
  ASSERT_OK_AND_ASSIGN(v1::Config empty, ParseConfig("", "f.conf"));
  const ServerLimits defaults = ServerLimitsFromConfig(empty.limits());
  const ServerLimits expected;
  EXPECT_EQ(defaults.max_in_flight, expected.max_in_flight);
  EXPECT_EQ(defaults.max_receive_message_bytes,
            expected.max_receive_message_bytes);
  EXPECT_EQ(defaults.max_concurrent_streams, expected.max_concurrent_streams);
  EXPECT_EQ(defaults.rates.screening_rate, expected.rates.screening_rate);
  EXPECT_EQ(defaults.rates.screening_burst, expected.rates.screening_burst);
  EXPECT_EQ(defaults.rates.get_entity_rate, expected.rates.get_entity_rate);
  EXPECT_EQ(defaults.rates.get_entity_burst, expected.rates.get_entity_burst);
  EXPECT_EQ(defaults.max_stream_duration, expected.max_stream_duration);
  EXPECT_EQ(empty.server().tls_refresh_seconds(),
            ServerOptions().tls_refresh_seconds);
  const ProbeOptions probes = ProbeOptionsFromConfig(empty.probes());
  EXPECT_EQ(probes.window, ProbeOptions().window);
  EXPECT_EQ(probes.threshold, ProbeOptions().threshold);

  ASSERT_OK_AND_ASSIGN(
      v1::Config set,
      ParseConfig("limits { max_in_flight: 64 get_entity_rate: 2.5 "
                  "max_stream_seconds: 30 }",
                  "f"));
  const ServerLimits limits = ServerLimitsFromConfig(set.limits());
  EXPECT_EQ(limits.max_stream_duration, absl::Seconds(30));
  EXPECT_EQ(limits.max_in_flight, 64);
  EXPECT_EQ(limits.rates.get_entity_rate, 2.5);
  EXPECT_EQ(limits.rates.screening_rate, expected.rates.screening_rate);
}

TEST(ConfigTest, MissingFileIsNotFound) {
  testing::TempDir dir;
  auto config = LoadConfigFile(dir.File("nope.conf"));
  EXPECT_EQ(config.status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace fraudgate::service
