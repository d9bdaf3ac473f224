#include "service/config.h"

#include <fstream>
#include <sstream>

#include "core/scoring.h"
#include "core/text.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "service/convert.h"

namespace fraudgate::service {
namespace {

class Collector final : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    if (first_.empty()) {
      // The parser counts lines and columns from 0.
      first_ = core::StrCat(line + 1, ":", column + 1, ": ", message);
    }
  }
  const std::string& first() const { return first_; }

 private:
  std::string first_;
};

}  // namespace

absl::StatusOr<v1::Config> ParseConfig(std::string_view text,
                                       std::string_view name) {
  google::protobuf::TextFormat::Parser parser;
  Collector errors;
  parser.RecordErrorsTo(&errors);
  google::protobuf::TextFormat::ParseInfoTree tree;
  parser.WriteLocationsTo(&tree);
  v1::Config config;
  if (!parser.ParseFromString(std::string(text), &config)) {
    return absl::InvalidArgumentError(core::StrCat(name, ":", errors.first()));
  }
  absl::Status scoring =
      core::ValidateScoringOptions(ScoringOptionsFromConfig(config.scoring()));
  if (!scoring.ok()) {
    // Point at the line of the offending field when the file sets it.
    const std::string message(scoring.message());
    const std::string field(message.substr(0, message.find(':')));
    int line = 0;
    if (const auto* sub = tree.GetTreeForNested(
            v1::Config::descriptor()->FindFieldByName("scoring"), -1)) {
      const auto* fd = v1::ScoringConfig::descriptor()->FindFieldByName(field);
      if (fd != nullptr) line = sub->GetLocation(fd, -1).line + 1;
    }
    return absl::InvalidArgumentError(
        line > 0 ? core::StrCat(name, ":", line, ": scoring.", message)
                 : core::StrCat(name, ": scoring.", message));
  }
  const google::protobuf::Descriptor* reports = v1::ReportConfig::descriptor();
  for (int i = 0; i < reports->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* fd = reports->field(i);
    if (config.reports().GetReflection()->GetInt32(config.reports(), fd) < 0) {
      return absl::InvalidArgumentError(core::StrCat(
          name, ": reports.", fd->name(), ": must be 0 (never) or more days"));
    }
  }
  if (absl::Status s = ValidateRetentionOptions(
          RetentionOptionsFromConfig(config.history()));
      !s.ok()) {
    return absl::InvalidArgumentError(core::StrCat(name, ": ", s.message()));
  }
  const google::protobuf::Descriptor* limits = v1::LimitsConfig::descriptor();
  for (int i = 0; i < limits->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* fd = limits->field(i);
    const auto* r = config.limits().GetReflection();
    const double value =
        fd->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_DOUBLE
            ? r->GetDouble(config.limits(), fd)
        : fd->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_INT64
            ? static_cast<double>(r->GetInt64(config.limits(), fd))
            : r->GetInt32(config.limits(), fd);
    if (!(value > 0)) {
      return absl::InvalidArgumentError(
          core::StrCat(name, ": limits.", fd->name(), ": must be positive"));
    }
  }
  if (absl::Status s =
          ValidateProbeOptions(ProbeOptionsFromConfig(config.probes()));
      !s.ok()) {
    return absl::InvalidArgumentError(core::StrCat(name, ": ", s.message()));
  }
  if (config.server().tls_refresh_seconds() < 1) {
    return absl::InvalidArgumentError(
        core::StrCat(name, ": server.tls_refresh_seconds: must be at least 1"));
  }
  if (config.store().block_cache_mb() < 1) {
    return absl::InvalidArgumentError(
        core::StrCat(name, ": store.block_cache_mb: must be at least 1"));
  }
  return config;
}

ProbeOptions ProbeOptionsFromConfig(const v1::ProbeConfig& c) {
  ProbeOptions probes;
  probes.window = absl::Seconds(c.window_seconds());
  probes.threshold = c.threshold();
  return probes;
}

ServerLimits ServerLimitsFromConfig(const v1::LimitsConfig& c) {
  ServerLimits limits;
  limits.max_in_flight = c.max_in_flight();
  limits.max_receive_message_bytes = c.max_receive_message_bytes();
  limits.max_concurrent_streams = c.max_concurrent_streams();
  limits.rates.screening_rate = c.screening_rate();
  limits.rates.screening_burst = c.screening_burst();
  limits.rates.get_entity_rate = c.get_entity_rate();
  limits.rates.get_entity_burst = c.get_entity_burst();
  limits.max_stream_duration = absl::Seconds(c.max_stream_seconds());
  return limits;
}

absl::StatusOr<v1::Config> LoadConfigFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return absl::NotFoundError(core::StrCat("cannot read config file ", path));
  }
  std::stringstream text;
  text << in.rdbuf();
  return ParseConfig(text.str(), path);
}

}  // namespace fraudgate::service
