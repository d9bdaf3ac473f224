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
  if (config.store().block_cache_mb() < 1) {
    return absl::InvalidArgumentError(
        core::StrCat(name, ": store.block_cache_mb: must be at least 1"));
  }
  return config;
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
