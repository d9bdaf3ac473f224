#include "core/scoring.h"

#include <algorithm>

#include "core/text.h"

namespace fraudgate::core {
namespace {

int BasePoints(const ScoringOptions& o, ReasonCode code, Confidence c) {
  const bool confirmed = c == Confidence::kConfirmed;
  switch (code) {
    case ReasonCode::kBeneficiaryAccountListed:
      return confirmed ? o.beneficiary_account_confirmed
                       : o.beneficiary_account_suspected;
    case ReasonCode::kBeneficiaryAccountNumberListed:
      return confirmed ? o.beneficiary_account_number_confirmed
                       : o.beneficiary_account_number_suspected;
    case ReasonCode::kBeneficiaryPhoneListed:
      return confirmed ? o.beneficiary_phone_confirmed
                       : o.beneficiary_phone_suspected;
    case ReasonCode::kContactListed:
      return confirmed ? o.contact_confirmed : o.contact_suspected;
    case ReasonCode::kMemoIdentifierListed:
      return confirmed ? o.memo_confirmed : o.memo_suspected;
  }
  return 0;
}

// Scores one match; nullopt when it has no live report or is delisted.
std::optional<ScoredReason> ScoreMatch(const ScoringOptions& o, const Match& m,
                                       absl::Time now) {
  if (m.delisted) return std::nullopt;
  const absl::Time stale_before = now - absl::Hours(24) * o.stale_report_days;
  // Points are tracked in halves so that stale reports count exactly half.
  int best_half_points = -1;
  size_t best = 0;
  std::vector<size_t> live;
  for (size_t i = 0; i < m.reports.size(); ++i) {
    const ReportFacts& r = m.reports[i];
    if (r.expires_at && *r.expires_at <= now) continue;
    live.push_back(i);
    const int weight = r.reported_at < stale_before ? 1 : 2;
    const int half_points = BasePoints(o, m.code, r.confidence) * weight;
    if (half_points > best_half_points) {
      best_half_points = half_points;
      best = i;
    }
  }
  if (live.empty()) return std::nullopt;

  ScoredReason reason;
  reason.code = m.code;
  reason.identifier = m.identifier;
  reason.report_count = static_cast<int>(live.size());
  int extra_half_points = 0;
  for (size_t i : live) {
    const ReportFacts& r = m.reports[i];
    if (r.reported_at >= reason.last_reported_at) {
      reason.last_reported_at = r.reported_at;
      reason.top_category = r.category;
    }
    if (std::find(reason.categories.begin(), reason.categories.end(),
                  r.category) == reason.categories.end()) {
      reason.categories.push_back(r.category);
    }
    if (i != best) {
      const int weight = r.reported_at < stale_before ? 1 : 2;
      extra_half_points += o.extra_report_points * weight;
    }
  }
  extra_half_points = std::min(extra_half_points, 2 * o.extra_report_max);
  reason.points = std::min(100, (best_half_points + extra_half_points) / 2);
  return reason;
}

absl::Status CheckRange(std::string_view field, int64_t value, int64_t lo,
                        int64_t hi) {
  if (value < lo || value > hi) {
    return absl::InvalidArgumentError(StrCat(
        field, ": must be between ", lo, " and ", hi, " (got ", value, ")"));
  }
  return absl::OkStatus();
}

}  // namespace

std::string_view ReasonCodeName(ReasonCode code) {
  switch (code) {
    case ReasonCode::kBeneficiaryAccountListed:
      return "BENEFICIARY_ACCOUNT_LISTED";
    case ReasonCode::kBeneficiaryAccountNumberListed:
      return "BENEFICIARY_ACCOUNT_NUMBER_LISTED";
    case ReasonCode::kBeneficiaryPhoneListed:
      return "BENEFICIARY_PHONE_LISTED";
    case ReasonCode::kContactListed:
      return "CONTACT_LISTED";
    case ReasonCode::kMemoIdentifierListed:
      return "MEMO_IDENTIFIER_LISTED";
  }
  return "UNKNOWN";
}

absl::Status ValidateScoringOptions(const ScoringOptions& o) {
  const std::pair<std::string_view, int> points[] = {
      {"beneficiary_account_confirmed", o.beneficiary_account_confirmed},
      {"beneficiary_account_suspected", o.beneficiary_account_suspected},
      {"beneficiary_account_number_confirmed",
       o.beneficiary_account_number_confirmed},
      {"beneficiary_account_number_suspected",
       o.beneficiary_account_number_suspected},
      {"beneficiary_phone_confirmed", o.beneficiary_phone_confirmed},
      {"beneficiary_phone_suspected", o.beneficiary_phone_suspected},
      {"contact_confirmed", o.contact_confirmed},
      {"contact_suspected", o.contact_suspected},
      {"memo_confirmed", o.memo_confirmed},
      {"memo_suspected", o.memo_suspected},
      {"extra_report_points", o.extra_report_points},
      {"extra_report_max", o.extra_report_max},
      {"large_amount_points", o.large_amount_points},
  };
  for (const auto& [field, value] : points) {
    if (auto s = CheckRange(field, value, 0, 100); !s.ok()) return s;
  }
  if (auto s = CheckRange("large_amount", o.large_amount, 0, INT64_MAX);
      !s.ok())
    return s;
  if (auto s = CheckRange("stale_report_days", o.stale_report_days, 1, 36500);
      !s.ok())
    return s;
  if (auto s = CheckRange("warn_threshold", o.warn_threshold, 1, 100); !s.ok())
    return s;
  if (auto s =
          CheckRange("hold_threshold", o.hold_threshold, o.warn_threshold, 100);
      !s.ok())
    return s;
  return CheckRange("block_threshold", o.block_threshold, o.hold_threshold,
                    100);
}

Decision DecisionForScore(const ScoringOptions& o, int score) {
  if (score >= o.block_threshold) return Decision::kBlock;
  if (score >= o.hold_threshold) return Decision::kHold;
  if (score >= o.warn_threshold) return Decision::kWarn;
  return Decision::kAllow;
}

ScoreResult Score(const ScoringOptions& options,
                  absl::Span<const Match> matches, int64_t amount,
                  absl::Time now) {
  ScoreResult result;
  for (const Match& m : matches) {
    std::optional<ScoredReason> reason = ScoreMatch(options, m, now);
    if (!reason) continue;
    auto same = std::find_if(result.reasons.begin(), result.reasons.end(),
                             [&](const ScoredReason& r) {
                               return r.identifier == reason->identifier;
                             });
    if (same == result.reasons.end()) {
      result.reasons.push_back(*std::move(reason));
    } else if (reason->points > same->points) {
      *same = *std::move(reason);
    }
  }
  std::stable_sort(result.reasons.begin(), result.reasons.end(),
                   [](const ScoredReason& a, const ScoredReason& b) {
                     return a.points > b.points;
                   });
  if (!result.reasons.empty()) {
    int score = result.reasons.front().points;
    if (amount >= options.large_amount) score += options.large_amount_points;
    result.score = std::min(score, 100);
  }
  result.decision = DecisionForScore(options, result.score);
  return result;
}

}  // namespace fraudgate::core
