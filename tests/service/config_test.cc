#include "service/config.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
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
      {"server { access_log_sample_every: -1 }",
       "f.conf: server.access_log_sample_every"},
      {"server { access_log_slow_ms: -1 }",
       "f.conf: server.access_log_slow_ms"},
      {"server { access_log_max_lines_per_second: -3 }",
       "f.conf: server.access_log_max_lines_per_second"},
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
  EXPECT_EQ(defaults.budgets.screening, expected.budgets.screening);
  EXPECT_EQ(defaults.budgets.other, expected.budgets.other);
  EXPECT_EQ(defaults.budgets.uploads_per_caller,
            expected.budgets.uploads_per_caller);
  EXPECT_EQ(defaults.rates.query_rate, expected.rates.query_rate);
  EXPECT_EQ(defaults.rates.query_burst, expected.rates.query_burst);
  EXPECT_EQ(defaults.max_receive_message_bytes,
            expected.max_receive_message_bytes);
  EXPECT_EQ(defaults.max_concurrent_streams, expected.max_concurrent_streams);
  EXPECT_EQ(defaults.rates.screening_rate, expected.rates.screening_rate);
  EXPECT_EQ(defaults.rates.screening_burst, expected.rates.screening_burst);
  EXPECT_EQ(defaults.rates.get_entity_rate, expected.rates.get_entity_rate);
  EXPECT_EQ(defaults.rates.get_entity_burst, expected.rates.get_entity_burst);
  EXPECT_EQ(defaults.max_stream_duration, expected.max_stream_duration);
  EXPECT_EQ(defaults.max_metadata_bytes, expected.max_metadata_bytes);
  EXPECT_EQ(defaults.min_ping_interval, expected.min_ping_interval);
  EXPECT_EQ(defaults.max_connection_age, expected.max_connection_age);
  EXPECT_EQ(defaults.max_connection_age_grace,
            expected.max_connection_age_grace);
  EXPECT_EQ(defaults.handshake_timeout, expected.handshake_timeout);
  EXPECT_EQ(ServerOptionsFromConfig(empty).reports.max_batch_reports,
            ReportOptions().max_batch_reports);
  EXPECT_EQ(ServerOptionsFromConfig(empty).reports.upload_idle,
            ReportOptions().upload_idle);
  const HttpLimits http = ServerOptionsFromConfig(empty).http_limits;
  EXPECT_EQ(http.request_timeout, HttpLimits().request_timeout);
  EXPECT_EQ(http.max_connections, HttpLimits().max_connections);
  EXPECT_EQ(http.max_connections_per_client,
            HttpLimits().max_connections_per_client);
  EXPECT_FALSE(ServerOptionsFromConfig(empty).reflection);
  EXPECT_EQ(empty.server().tls_refresh_seconds(),
            ServerOptions().tls_refresh_seconds);
  const AccessLogOptions access_log = ServerOptionsFromConfig(empty).access_log;
  EXPECT_EQ(access_log.sample_every, AccessLogOptions().sample_every);
  EXPECT_EQ(access_log.slow, AccessLogOptions().slow);
  EXPECT_EQ(access_log.max_lines_per_second,
            AccessLogOptions().max_lines_per_second);
  const ProbeOptions probes = ProbeOptionsFromConfig(empty.probes());
  EXPECT_EQ(probes.window, ProbeOptions().window);
  EXPECT_EQ(probes.threshold, ProbeOptions().threshold);

  ASSERT_OK_AND_ASSIGN(
      v1::Config set,
      ParseConfig("limits { max_in_flight: 64 get_entity_rate: 2.5 "
                  "max_stream_seconds: 30 handshake_timeout_seconds: 3 "
                  "upload_batch_reports: 100 max_in_flight_other: 9 "
                  "max_uploads_per_caller: 2 upload_idle_seconds: 5 "
                  "query_rate: 3 }",
                  "f"));
  const ServerLimits limits = ServerLimitsFromConfig(set.limits());
  EXPECT_EQ(limits.handshake_timeout, absl::Seconds(3));
  EXPECT_EQ(ServerOptionsFromConfig(set).reports.max_batch_reports, 100);
  EXPECT_EQ(limits.max_stream_duration, absl::Seconds(30));
  EXPECT_EQ(limits.budgets.screening, 64);
  EXPECT_EQ(limits.budgets.other, 9);
  EXPECT_EQ(limits.budgets.uploads_per_caller, 2);
  EXPECT_EQ(ServerOptionsFromConfig(set).reports.upload_idle, absl::Seconds(5));
  EXPECT_EQ(limits.rates.query_rate, 3);
  EXPECT_EQ(limits.rates.get_entity_rate, 2.5);
  EXPECT_EQ(limits.rates.screening_rate, expected.rates.screening_rate);

  ASSERT_OK_AND_ASSIGN(
      v1::Config logged,
      ParseConfig("server { access_log_sample_every: 1 access_log_slow_ms: 7 "
                  "access_log_max_lines_per_second: 0 }",
                  "f"));
  const AccessLogOptions access = ServerOptionsFromConfig(logged).access_log;
  EXPECT_EQ(access.sample_every, 1);
  EXPECT_EQ(access.slow, absl::Milliseconds(7));
  EXPECT_EQ(access.max_lines_per_second, 0);
}

// Every leaf field of `message` is set (presence) to the value it has when
// unset in `defaults`.
void ExpectEveryFieldSetToDefault(const google::protobuf::Message& message,
                                  const google::protobuf::Message& defaults,
                                  const std::string& prefix) {
  const google::protobuf::Descriptor* type = message.GetDescriptor();
  const google::protobuf::Reflection* r = message.GetReflection();
  for (int i = 0; i < type->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* field = type->field(i);
    const std::string name = prefix + field->name();
    EXPECT_TRUE(r->HasField(message, field)) << name << " is not in the text";
    if (field->message_type() != nullptr) {
      ExpectEveryFieldSetToDefault(r->GetMessage(message, field),
                                   r->GetMessage(defaults, field), name + ".");
      continue;
    }
    std::string got, want;
    google::protobuf::TextFormat::PrintFieldValueToString(message, field, -1,
                                                          &got);
    google::protobuf::TextFormat::PrintFieldValueToString(defaults, field, -1,
                                                          &want);
    EXPECT_EQ(got, want) << name;
  }
}

TEST(ConfigTest, DefaultsTextSetsEveryFieldToItsDefaultWithItsComment) {
  const std::string text = DefaultConfigText();
  auto config = ParseConfig(text, "defaults.conf");
  ASSERT_TRUE(config.ok()) << config.status() << "\n" << text;
  ExpectEveryFieldSetToDefault(*config, v1::Config::default_instance(), "");
  // The comments of config.proto go with their fields and messages.
  EXPECT_THAT(text, HasSubstr("  # Address to serve gRPC on; `--listen` "
                              "overrides.\n  listen: \"127.0.0.1:50051\"\n"));
  EXPECT_THAT(text, HasSubstr("# The RocksDB store.\nstore {\n"));
  EXPECT_THAT(text, HasSubstr("# DESIGN §4. Points are 0..100"));
  EXPECT_THAT(text, HasSubstr("# The server configuration file"));
  // Every line is a comment, a block, or `name: value`.
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    line = absl::StripLeadingAsciiWhitespace(line);
    EXPECT_TRUE(line.empty() || absl::StartsWith(line, "#") ||
                absl::EndsWith(line, " {") || line == "}" ||
                absl::StrContains(line, ": "))
        << line;
  }
}

TEST(ConfigTest, ServerOptionsComeFromEveryServerField) {
  auto config = ParseConfig(
      "server {\n"
      "  listen: \"127.0.0.1:7000\"\n"
      "  http_listen: \"127.0.0.1:7001\"\n"
      "  health_listen: \"0.0.0.0:7002\"\n"
      "  tls_dir: \"/etc/fraudgate/tls\"\n"
      "  tls_refresh_seconds: 5\n"
      "  insecure: true\n"
      "}\n"
      "limits { max_in_flight: 7 }\n"
      "history { hit_retention_days: 30 }\n"
      "probes { threshold: 9 }\n"
      "scoring { block_threshold: 95 }\n",
      "f.conf");
  ASSERT_TRUE(config.ok()) << config.status();
  const ServerOptions options = ServerOptionsFromConfig(*config);
  EXPECT_EQ(options.listen, "127.0.0.1:7000");
  EXPECT_EQ(options.http_listen, "127.0.0.1:7001");
  EXPECT_EQ(options.health_listen, "0.0.0.0:7002");
  EXPECT_EQ(options.tls_dir, "/etc/fraudgate/tls");
  EXPECT_EQ(options.tls_refresh_seconds, 5);
  EXPECT_TRUE(options.insecure);
  EXPECT_EQ(options.limits.budgets.screening, 7);
  EXPECT_EQ(options.retention.hit_retention, absl::Hours(24 * 30));
  EXPECT_EQ(options.probes.threshold, 9);
  EXPECT_EQ(options.scoring.block_threshold, 95);
}

TEST(ConfigTest, LogLevelAndShutdownGraceAreChecked) {
  auto level = ParseConfig("server {\n  log_level: \"loud\"\n}\n", "f.conf");
  EXPECT_EQ(level.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(level.status().message(), HasSubstr("server.log_level"));
  auto grace = ParseConfig("server { shutdown_grace_seconds: -1 }\n", "f.conf");
  EXPECT_EQ(grace.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(grace.status().message(),
              HasSubstr("server.shutdown_grace_seconds"));
  EXPECT_TRUE(ParseConfig("server { log_level: \"warning\" }", "f").ok());
}

TEST(ConfigTest, MissingFileIsNotFound) {
  testing::TempDir dir;
  auto config = LoadConfigFile(dir.File("nope.conf"));
  EXPECT_EQ(config.status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace fraudgate::service
