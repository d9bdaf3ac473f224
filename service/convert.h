// Conversions between the wire messages (fraudgate.v1) and core types.
// Thread safety: pure functions.
#ifndef FRAUDGATE_SERVICE_CONVERT_H_
#define FRAUDGATE_SERVICE_CONVERT_H_

#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/identifier.h"
#include "core/normalize.h"
#include "core/scoring.h"
#include "fraudgate/v1/config.pb.h"
#include "fraudgate/v1/fraudgate.pb.h"
#include "service/retention.h"

namespace fraudgate::service {

v1::Identifier ToProto(const core::Identifier& id);
core::Identifier FromProto(const v1::Identifier& id);  // already canonical

// Normalizes a request identifier; errors name `field` + ".kind" /
// ".issuer" / ".value".
absl::StatusOr<core::Identifier> NormalizeProto(const v1::Identifier& id,
                                                std::string_view field);

v1::Decision ToProto(core::Decision decision);
// "ALLOW" for DECISION_ALLOW (the enum name without its prefix), as logs,
// metrics and the CLI show it.
std::string DecisionText(v1::Decision decision);
v1::Category ToProto(core::Category category);

// The facts scoring needs from a stored entity's live (not withdrawn) report
// references.
std::vector<core::ReportFacts> ReportFactsOf(const v1::Entity& entity);

// The entity as an API answer at `now`: status EXPIRED when ACTIVE but every
// live report has expired.
v1::Entity EntityAt(v1::Entity entity, absl::Time now);

v1::Reason ToProto(const core::ScoredReason& reason);

// The retention options a HistoryConfig sets.
RetentionOptions RetentionOptionsFromConfig(const v1::HistoryConfig& c);

// Config lifetimes (days, 0 = never) -> per-category durations; categories
// whose lifetime is 0 are left out.
absl::flat_hash_map<v1::Category, absl::Duration> ReportLifetimesFromConfig(
    const v1::ReportConfig& config);

// Config (with its proto2 defaults) -> the options struct core takes.
core::ScoringOptions ScoringOptionsFromConfig(const v1::ScoringConfig& config);

}  // namespace fraudgate::service

#endif  // FRAUDGATE_SERVICE_CONVERT_H_
