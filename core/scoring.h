// Scoring of a screening (DESIGN §4): pure functions from the matched listed
// identifiers to a score, a decision and the reasons.
//
// Rules, with the default points of ScoringOptions:
// - Each matched identifier that is ACTIVE and has at least one unexpired
//   report yields one Reason. DELISTED identifiers and expired reports never
//   score.
// - A reason's base points come from its code and the best confidence among
//   its live reports (CONFIRMED or SUSPECTED). A report older than
//   `stale_report_days` counts half: its points are halved, and it adds half
//   of `extra_report_points` as an extra report.
// - Extra reports: every live report beyond the best one adds
//   `extra_report_points` (halved when stale), up to `extra_report_max`, to
//   that reason's points.
// - When one identifier is matched under several codes (e.g. a phone that is
//   both the beneficiary phone and a contact), only its best reason is kept.
// - score = the highest reason's points, + `large_amount_points` when
//   amount >= large_amount and any reason fired; capped at 100. Fractions are
//   rounded down once, at the end of each reason.
// - decision: score >= block_threshold BLOCK, >= hold HOLD, >= warn WARN,
//   else ALLOW.
//
// Thread safety: thread-safe (no state).
#ifndef FRAUDGATE_CORE_SCORING_H_
#define FRAUDGATE_CORE_SCORING_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "core/identifier.h"

namespace fraudgate::core {

enum class ReasonCode {
  kBeneficiaryAccountListed,
  kBeneficiaryAccountNumberListed,
  kBeneficiaryPhoneListed,
  kContactListed,
  kMemoIdentifierListed,
};
// "BENEFICIARY_ACCOUNT_LISTED", ...
std::string_view ReasonCodeName(ReasonCode code);

enum class Confidence { kConfirmed, kSuspected };

// Same numbering as the wire enum fraudgate.v1.Category.
enum class Category {
  kExtortionDeepfake = 1,
  kExtortionOther = 2,
  kImpersonation = 3,
  kInvestmentScam = 4,
  kShoppingScam = 5,
  kOther = 6,
};

enum class Decision { kAllow, kWarn, kHold, kBlock };

// Every field's default is the DESIGN §4 value and equals the default in
// proto/fraudgate/v1/config.proto (a unit test keeps the two equal).
struct ScoringOptions {
  int beneficiary_account_confirmed = 90;
  int beneficiary_account_suspected = 60;
  int beneficiary_account_number_confirmed = 70;
  int beneficiary_account_number_suspected = 45;
  int beneficiary_phone_confirmed = 80;
  int beneficiary_phone_suspected = 55;
  int contact_confirmed = 70;
  int contact_suspected = 50;
  int memo_confirmed = 40;
  int memo_suspected = 30;
  int extra_report_points = 5;
  int extra_report_max = 10;
  int large_amount_points = 5;
  int64_t large_amount = 10'000'000;  // minor units (dong)
  int stale_report_days = 365;
  int block_threshold = 85;
  int hold_threshold = 60;
  int warn_threshold = 30;
};

// InvalidArgument naming the first bad field: points outside 0..100,
// negative amounts or days, thresholds not ordered 0 < warn <= hold <= block
// <= 100.
absl::Status ValidateScoringOptions(const ScoringOptions& options);

// One report on a listed identifier, as far as scoring needs it.
struct ReportFacts {
  Category category = Category::kOther;
  Confidence confidence = Confidence::kSuspected;
  absl::Time reported_at = absl::InfinitePast();
  std::optional<absl::Time> expires_at;  // none: never expires
};

// A screened identifier that was found on the list.
struct Match {
  ReasonCode code;
  Identifier identifier;
  bool delisted = false;
  std::vector<ReportFacts> reports;
};

struct ScoredReason {
  ReasonCode code;
  Identifier identifier;
  int points = 0;
  int report_count = 0;  // live reports
  absl::Time last_reported_at = absl::InfinitePast();
  std::vector<Category> categories;          // distinct, in first-seen order
  Category top_category = Category::kOther;  // of the newest live report
};

struct ScoreResult {
  Decision decision = Decision::kAllow;
  int score = 0;
  std::vector<ScoredReason> reasons;  // highest points first
};

// Scores one screening at time `now`.
ScoreResult Score(const ScoringOptions& options,
                  absl::Span<const Match> matches, int64_t amount,
                  absl::Time now);

// The decision for a final score.
Decision DecisionForScore(const ScoringOptions& options, int score);

}  // namespace fraudgate::core

#endif  // FRAUDGATE_CORE_SCORING_H_
