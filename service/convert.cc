#include "service/convert.h"

#include "core/text.h"
#include "proto/proto_time.h"

namespace fraudgate::service {

v1::Identifier ToProto(const core::Identifier& id) {
  v1::Identifier out;
  out.set_kind(static_cast<v1::IdentifierKind>(id.kind));
  out.set_issuer(id.issuer);
  out.set_value(id.value);
  return out;
}

core::Identifier FromProto(const v1::Identifier& id) {
  return core::Identifier{static_cast<core::IdentifierKind>(id.kind()),
                          id.issuer(), id.value()};
}

absl::StatusOr<core::Identifier> NormalizeProto(const v1::Identifier& id,
                                                std::string_view field) {
  if (id.kind() == v1::IDENTIFIER_KIND_UNSPECIFIED ||
      !v1::IdentifierKind_IsValid(id.kind())) {
    return absl::InvalidArgumentError(core::StrCat(
        field, ".kind: must be PHONE, BANK_ACCOUNT, EWALLET or CHAT_HANDLE"));
  }
  return core::NormalizeIdentifier(static_cast<core::IdentifierKind>(id.kind()),
                                   id.issuer(), id.value(),
                                   core::FieldNames::Nested(field));
}

std::string DecisionText(v1::Decision decision) {
  std::string name = v1::Decision_Name(decision);
  constexpr std::string_view kPrefix = "DECISION_";
  if (std::string_view(name).starts_with(kPrefix)) {
    name.erase(0, kPrefix.size());
  }
  return name;
}

v1::Decision ToProto(core::Decision decision) {
  switch (decision) {
    case core::Decision::kAllow:
      return v1::DECISION_ALLOW;
    case core::Decision::kWarn:
      return v1::DECISION_WARN;
    case core::Decision::kHold:
      return v1::DECISION_HOLD;
    case core::Decision::kBlock:
      return v1::DECISION_BLOCK;
  }
  return v1::DECISION_UNSPECIFIED;
}

v1::Category ToProto(core::Category category) {
  return static_cast<v1::Category>(category);
}

std::vector<core::ReportFacts> ReportFactsOf(const v1::Entity& entity) {
  std::vector<core::ReportFacts> facts;
  facts.reserve(entity.reports_size());
  for (const v1::ReportRef& r : entity.reports()) {
    if (r.withdrawn()) continue;
    core::ReportFacts f;
    f.category = r.category() == v1::CATEGORY_UNSPECIFIED
                     ? core::Category::kOther
                     : static_cast<core::Category>(r.category());
    f.confidence = r.confidence() == v1::CONFIRMED
                       ? core::Confidence::kConfirmed
                       : core::Confidence::kSuspected;
    f.reported_at = FromProtoTime(r.reported_at());
    if (r.has_expires_at()) f.expires_at = FromProtoTime(r.expires_at());
    facts.push_back(f);
  }
  return facts;
}

v1::Entity EntityAt(v1::Entity entity, absl::Time now) {
  if (entity.status() != v1::ACTIVE) return entity;
  for (const v1::ReportRef& r : entity.reports()) {
    if (r.withdrawn()) continue;
    if (!r.has_expires_at() || FromProtoTime(r.expires_at()) > now) {
      return entity;
    }
  }
  entity.set_status(v1::EXPIRED);
  return entity;
}

v1::Reason ToProto(const core::ScoredReason& reason) {
  v1::Reason out;
  out.set_code(std::string(core::ReasonCodeName(reason.code)));
  *out.mutable_identifier() = ToProto(reason.identifier);
  out.set_points(reason.points);
  out.set_report_count(reason.report_count);
  *out.mutable_last_reported_at() = ToProtoTime(reason.last_reported_at);
  for (core::Category c : reason.categories) out.add_categories(ToProto(c));
  out.set_detail(core::StrCat(reason.identifier.ToString(), " named in ",
                              reason.report_count, " police report",
                              reason.report_count == 1 ? "" : "s"));
  return out;
}

absl::flat_hash_map<v1::Category, absl::Duration> ReportLifetimesFromConfig(
    const v1::ReportConfig& c) {
  const std::pair<v1::Category, int> days[] = {
      {v1::EXTORTION_DEEPFAKE, c.extortion_deepfake_lifetime_days()},
      {v1::EXTORTION_OTHER, c.extortion_other_lifetime_days()},
      {v1::IMPERSONATION, c.impersonation_lifetime_days()},
      {v1::INVESTMENT_SCAM, c.investment_scam_lifetime_days()},
      {v1::SHOPPING_SCAM, c.shopping_scam_lifetime_days()},
      {v1::OTHER, c.other_lifetime_days()},
  };
  absl::flat_hash_map<v1::Category, absl::Duration> lifetimes;
  for (const auto& [category, d] : days) {
    if (d > 0) lifetimes[category] = absl::Hours(24) * d;
  }
  return lifetimes;
}

RetentionOptions RetentionOptionsFromConfig(const v1::HistoryConfig& c) {
  RetentionOptions o;
  o.hit_retention = absl::Hours(24) * c.hit_retention_days();
  o.unmatched_retention = absl::Hours(24) * c.unmatched_retention_days();
  o.interval = absl::Minutes(c.retention_interval_minutes());
  return o;
}

core::ScoringOptions ScoringOptionsFromConfig(const v1::ScoringConfig& c) {
  core::ScoringOptions o;
  o.beneficiary_account_confirmed = c.beneficiary_account_confirmed();
  o.beneficiary_account_suspected = c.beneficiary_account_suspected();
  o.beneficiary_account_number_confirmed =
      c.beneficiary_account_number_confirmed();
  o.beneficiary_account_number_suspected =
      c.beneficiary_account_number_suspected();
  o.beneficiary_phone_confirmed = c.beneficiary_phone_confirmed();
  o.beneficiary_phone_suspected = c.beneficiary_phone_suspected();
  o.contact_confirmed = c.contact_confirmed();
  o.contact_suspected = c.contact_suspected();
  o.memo_confirmed = c.memo_confirmed();
  o.memo_suspected = c.memo_suspected();
  o.extra_report_points = c.extra_report_points();
  o.extra_report_max = c.extra_report_max();
  o.large_amount_points = c.large_amount_points();
  o.large_amount = c.large_amount();
  o.stale_report_days = c.stale_report_days();
  o.block_threshold = c.block_threshold();
  o.hold_threshold = c.hold_threshold();
  o.warn_threshold = c.warn_threshold();
  return o;
}

}  // namespace fraudgate::service
