#include "core/scoring.h"

#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "core/identifier.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraudgate::core {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using ::testing::StartsWith;

constexpr Category kAllCategories[] = {
    Category::kExtortionDeepfake, Category::kExtortionOther,
    Category::kImpersonation,     Category::kInvestmentScam,
    Category::kShoppingScam,      Category::kOther,
};

const absl::Time kNow = absl::FromUnixSeconds(1'750'000'000);

absl::Duration Days(int n) { return absl::Hours(24) * n; }

std::string Message(const absl::Status& status) {
  return std::string(status.message());
}

ReportFacts Fresh(Confidence confidence,
                  Category category = Category::kExtortionDeepfake,
                  absl::Duration age = Days(10)) {
  ReportFacts r;
  r.category = category;
  r.confidence = confidence;
  r.reported_at = kNow - age;
  return r;
}

ReportFacts Stale(Confidence confidence,
                  Category category = Category::kExtortionDeepfake) {
  return Fresh(confidence, category, Days(400));
}

ReportFacts Expired(Confidence confidence,
                    Category category = Category::kExtortionDeepfake) {
  ReportFacts r = Fresh(confidence, category);
  r.expires_at = kNow - absl::Seconds(1);
  return r;
}

Identifier Account(std::string_view number = "0123456789") {
  return {IdentifierKind::kBankAccount, "970436", std::string(number)};
}
Identifier Phone(std::string_view e164 = "+84329123456") {
  return {IdentifierKind::kPhone, "", std::string(e164)};
}

Match MakeMatch(ReasonCode code, std::vector<ReportFacts> reports,
                Identifier id = Account()) {
  Match m;
  m.code = code;
  m.identifier = std::move(id);
  m.reports = std::move(reports);
  return m;
}

ScoreResult ScoreOne(const Match& m, int64_t amount = 0,
                     const ScoringOptions& options = ScoringOptions()) {
  return Score(options, {m}, amount, kNow);
}

// The points of the single reason `m` yields; -1 when it yields none.
int ReasonPoints(const Match& m,
                 const ScoringOptions& options = ScoringOptions()) {
  const ScoreResult r = Score(options, {m}, 0, kNow);
  if (r.reasons.empty()) return -1;
  return r.reasons.front().points;
}

TEST(ScoringOptionsTest, DefaultsAreTheDesignValues) {
  const ScoringOptions o;
  EXPECT_EQ(o.beneficiary_account_confirmed, 90);
  EXPECT_EQ(o.beneficiary_account_suspected, 60);
  EXPECT_EQ(o.beneficiary_account_number_confirmed, 70);
  EXPECT_EQ(o.beneficiary_account_number_suspected, 45);
  EXPECT_EQ(o.beneficiary_phone_confirmed, 80);
  EXPECT_EQ(o.beneficiary_phone_suspected, 55);
  EXPECT_EQ(o.contact_confirmed, 70);
  EXPECT_EQ(o.contact_suspected, 50);
  EXPECT_EQ(o.memo_confirmed, 40);
  EXPECT_EQ(o.memo_suspected, 30);
  EXPECT_EQ(o.extra_report_points, 5);
  EXPECT_EQ(o.extra_report_max, 10);
  EXPECT_EQ(o.large_amount_points, 5);
  EXPECT_EQ(o.large_amount, 10'000'000);
  EXPECT_EQ(o.stale_report_days, 365);
  EXPECT_EQ(o.block_threshold, 85);
  EXPECT_EQ(o.hold_threshold, 60);
  EXPECT_EQ(o.warn_threshold, 30);
  EXPECT_TRUE(ValidateScoringOptions(o).ok());
}

TEST(ReasonCodeNameTest, Names) {
  EXPECT_EQ(ReasonCodeName(ReasonCode::kBeneficiaryAccountListed),
            "BENEFICIARY_ACCOUNT_LISTED");
  EXPECT_EQ(ReasonCodeName(ReasonCode::kBeneficiaryAccountNumberListed),
            "BENEFICIARY_ACCOUNT_NUMBER_LISTED");
  EXPECT_EQ(ReasonCodeName(ReasonCode::kBeneficiaryPhoneListed),
            "BENEFICIARY_PHONE_LISTED");
  EXPECT_EQ(ReasonCodeName(ReasonCode::kContactListed), "CONTACT_LISTED");
  EXPECT_EQ(ReasonCodeName(ReasonCode::kMemoIdentifierListed),
            "MEMO_IDENTIFIER_LISTED");
}

struct PointsCase {
  ReasonCode code;
  Confidence confidence;
  int points;
  Decision decision;
};

// DESIGN §4, with the decision the points alone give.
constexpr PointsCase kDesignPoints[] = {
    {ReasonCode::kBeneficiaryAccountListed, Confidence::kConfirmed, 90,
     Decision::kBlock},
    {ReasonCode::kBeneficiaryAccountListed, Confidence::kSuspected, 60,
     Decision::kHold},
    {ReasonCode::kBeneficiaryAccountNumberListed, Confidence::kConfirmed, 70,
     Decision::kHold},
    {ReasonCode::kBeneficiaryAccountNumberListed, Confidence::kSuspected, 45,
     Decision::kWarn},
    {ReasonCode::kBeneficiaryPhoneListed, Confidence::kConfirmed, 80,
     Decision::kHold},
    {ReasonCode::kBeneficiaryPhoneListed, Confidence::kSuspected, 55,
     Decision::kWarn},
    {ReasonCode::kContactListed, Confidence::kConfirmed, 70, Decision::kHold},
    {ReasonCode::kContactListed, Confidence::kSuspected, 50, Decision::kWarn},
    {ReasonCode::kMemoIdentifierListed, Confidence::kConfirmed, 40,
     Decision::kWarn},
    {ReasonCode::kMemoIdentifierListed, Confidence::kSuspected, 30,
     Decision::kWarn},
};

TEST(ScoreTest, EachCodeAndConfidenceGivesItsDesignPoints) {
  for (const PointsCase& c : kDesignPoints) {
    const ScoreResult r = ScoreOne(MakeMatch(c.code, {Fresh(c.confidence)}));
    const std::string what =
        std::string(ReasonCodeName(c.code)) +
        (c.confidence == Confidence::kConfirmed ? " CONFIRMED" : " SUSPECTED");
    ASSERT_THAT(r.reasons, SizeIs(1)) << what;
    EXPECT_EQ(r.reasons[0].code, c.code) << what;
    EXPECT_EQ(r.reasons[0].points, c.points) << what;
    EXPECT_EQ(r.reasons[0].report_count, 1) << what;
    EXPECT_EQ(r.score, c.points) << what;
    EXPECT_EQ(r.decision, c.decision) << what;
  }
}

TEST(ScoreTest, EachCodeUsesItsOwnOption) {
  // Give every option a distinct value so that a mixed-up field shows.
  ScoringOptions o;
  o.beneficiary_account_confirmed = 91;
  o.beneficiary_account_suspected = 61;
  o.beneficiary_account_number_confirmed = 71;
  o.beneficiary_account_number_suspected = 46;
  o.beneficiary_phone_confirmed = 81;
  o.beneficiary_phone_suspected = 56;
  o.contact_confirmed = 72;
  o.contact_suspected = 51;
  o.memo_confirmed = 41;
  o.memo_suspected = 31;
  const std::pair<ReasonCode, std::pair<int, int>> want[] = {
      {ReasonCode::kBeneficiaryAccountListed, {91, 61}},
      {ReasonCode::kBeneficiaryAccountNumberListed, {71, 46}},
      {ReasonCode::kBeneficiaryPhoneListed, {81, 56}},
      {ReasonCode::kContactListed, {72, 51}},
      {ReasonCode::kMemoIdentifierListed, {41, 31}},
  };
  for (const auto& [code, points] : want) {
    EXPECT_EQ(ReasonPoints(MakeMatch(code, {Fresh(Confidence::kConfirmed)}), o),
              points.first)
        << ReasonCodeName(code);
    EXPECT_EQ(ReasonPoints(MakeMatch(code, {Fresh(Confidence::kSuspected)}), o),
              points.second)
        << ReasonCodeName(code);
  }
}

TEST(DecisionForScoreTest, Thresholds) {
  const ScoringOptions o;
  struct Case {
    int score;
    Decision want;
  };
  for (const Case& c :
       {Case{0, Decision::kAllow}, Case{29, Decision::kAllow},
        Case{30, Decision::kWarn}, Case{59, Decision::kWarn},
        Case{60, Decision::kHold}, Case{84, Decision::kHold},
        Case{85, Decision::kBlock}, Case{100, Decision::kBlock}}) {
    EXPECT_EQ(DecisionForScore(o, c.score), c.want) << c.score;
  }
}

TEST(DecisionForScoreTest, UsesTheConfiguredThresholds) {
  ScoringOptions o;
  o.warn_threshold = 10;
  o.hold_threshold = 20;
  o.block_threshold = 40;
  EXPECT_EQ(DecisionForScore(o, 9), Decision::kAllow);
  EXPECT_EQ(DecisionForScore(o, 10), Decision::kWarn);
  EXPECT_EQ(DecisionForScore(o, 19), Decision::kWarn);
  EXPECT_EQ(DecisionForScore(o, 20), Decision::kHold);
  EXPECT_EQ(DecisionForScore(o, 39), Decision::kHold);
  EXPECT_EQ(DecisionForScore(o, 40), Decision::kBlock);
}

TEST(ScoreTest, BoundaryScoresGiveTheirDecisions) {
  // The same boundaries through Score(): one memo match whose points are
  // set to the boundary value.
  struct Case {
    int points;
    Decision want;
  };
  for (const Case& c :
       {Case{29, Decision::kAllow}, Case{30, Decision::kWarn},
        Case{59, Decision::kWarn}, Case{60, Decision::kHold},
        Case{84, Decision::kHold}, Case{85, Decision::kBlock}}) {
    ScoringOptions o;
    o.memo_confirmed = c.points;
    const ScoreResult r = ScoreOne(MakeMatch(ReasonCode::kMemoIdentifierListed,
                                             {Fresh(Confidence::kConfirmed)}),
                                   0, o);
    EXPECT_EQ(r.score, c.points);
    EXPECT_EQ(r.decision, c.want) << c.points;
    // A reason that fired is reported even when the decision is ALLOW.
    EXPECT_THAT(r.reasons, SizeIs(1));
  }
}

TEST(ScoreTest, NoMatchesIsAllowWithScoreZero) {
  const ScoreResult r = Score(ScoringOptions(), {}, 1'000'000'000'000, kNow);
  EXPECT_EQ(r.score, 0);
  EXPECT_EQ(r.decision, Decision::kAllow);
  EXPECT_THAT(r.reasons, IsEmpty());
}

TEST(ScoreTest, ExtraReportsAddFiveEachUpToTen) {
  constexpr Confidence kC = Confidence::kConfirmed;
  constexpr Confidence kS = Confidence::kSuspected;
  struct Case {
    std::vector<ReportFacts> reports;
    int want;
  };
  const Case cases[] = {
      {{Fresh(kC)}, 70},
      {{Fresh(kC), Fresh(kC)}, 75},
      {{Fresh(kC), Fresh(kC), Fresh(kC)}, 80},
      {{Fresh(kC), Fresh(kC), Fresh(kC), Fresh(kC)}, 80},
      {{Fresh(kC), Fresh(kC), Fresh(kC), Fresh(kC), Fresh(kC), Fresh(kC)}, 80},
      // The best report sets the base; the others are extras whatever their
      // confidence, in any order.
      {{Fresh(kS), Fresh(kC)}, 75},
      {{Fresh(kS), Fresh(kS)}, 55},
      {{Fresh(kS), Fresh(kS), Fresh(kS)}, 60},
  };
  for (const Case& c : cases) {
    const Match m = MakeMatch(ReasonCode::kContactListed, c.reports, Phone());
    const ScoreResult r = ScoreOne(m);
    ASSERT_THAT(r.reasons, SizeIs(1));
    EXPECT_EQ(r.reasons[0].points, c.want) << c.reports.size() << " reports";
    EXPECT_EQ(r.reasons[0].report_count, static_cast<int>(c.reports.size()));
  }
}

TEST(ScoreTest, StaleReportsCountHalf) {
  constexpr Confidence kC = Confidence::kConfirmed;
  constexpr Confidence kS = Confidence::kSuspected;
  constexpr ReasonCode kAcct = ReasonCode::kBeneficiaryAccountListed;
  struct Case {
    std::string_view what;
    std::vector<ReportFacts> reports;
    int want;
  };
  const Case cases[] = {
      {"one stale confirmed: 90/2", {Stale(kC)}, 45},
      {"one stale suspected: 60/2", {Stale(kS)}, 30},
      {"fresh + stale extra: 90 + 5/2, rounded down",
       {Fresh(kC), Stale(kC)},
       92},
      {"stale extra first", {Stale(kC), Fresh(kC)}, 92},
      {"fresh + 2 stale extras: 90 + 2.5 + 2.5",
       {Fresh(kC), Stale(kC), Stale(kS)},
       95},
      {"fresh + fresh + stale: 90 + 5 + 2.5",
       {Fresh(kC), Fresh(kS), Stale(kS)},
       97},
      {"extras capped after halving: 90 + min(5 * 2.5, 10)",
       {Fresh(kC), Stale(kC), Stale(kC), Stale(kC), Stale(kC), Stale(kC)},
       100},
      {"all stale: 45 + 2.5", {Stale(kC), Stale(kC)}, 47},
      {"all stale: 45 + 2.5 + 2.5", {Stale(kC), Stale(kC), Stale(kC)}, 50},
      // A fresh SUSPECTED (60) beats a stale CONFIRMED (45); the stale one is
      // a half extra.
      {"fresh suspected beats stale confirmed", {Stale(kC), Fresh(kS)}, 62},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ReasonPoints(MakeMatch(kAcct, c.reports)), c.want) << c.what;
  }
}

TEST(ScoreTest, StaleMeansOlderThanStaleReportDays) {
  constexpr ReasonCode kAcct = ReasonCode::kBeneficiaryAccountListed;
  constexpr Confidence kC = Confidence::kConfirmed;
  EXPECT_EQ(
      ReasonPoints(MakeMatch(kAcct, {Fresh(kC, Category::kOther, Days(365))})),
      90);
  EXPECT_EQ(
      ReasonPoints(MakeMatch(
          kAcct, {Fresh(kC, Category::kOther, Days(365) + absl::Seconds(1))})),
      45);
  ScoringOptions o;
  o.stale_report_days = 30;
  EXPECT_EQ(ReasonPoints(
                MakeMatch(kAcct, {Fresh(kC, Category::kOther, Days(29))}), o),
            90);
  EXPECT_EQ(ReasonPoints(
                MakeMatch(kAcct, {Fresh(kC, Category::kOther, Days(31))}), o),
            45);
}

TEST(ScoreTest, ExpiredReportsAreIgnored) {
  constexpr Confidence kC = Confidence::kConfirmed;
  constexpr ReasonCode kAcct = ReasonCode::kBeneficiaryAccountListed;
  // Expired extras add nothing and are not counted.
  const ScoreResult r = ScoreOne(MakeMatch(
      kAcct, {Expired(kC), Fresh(Confidence::kSuspected), Expired(kC)}));
  ASSERT_THAT(r.reasons, SizeIs(1));
  EXPECT_EQ(r.reasons[0].points, 60);
  EXPECT_EQ(r.reasons[0].report_count, 1);

  // A report expiring exactly now is expired; one second later it is live.
  ReportFacts at_now = Fresh(kC);
  at_now.expires_at = kNow;
  EXPECT_EQ(ReasonPoints(MakeMatch(kAcct, {at_now})), -1);
  ReportFacts later = Fresh(kC);
  later.expires_at = kNow + absl::Seconds(1);
  EXPECT_EQ(ReasonPoints(MakeMatch(kAcct, {later})), 90);
}

TEST(ScoreTest, OnlyExpiredReportsGiveNoReason) {
  const Match m = MakeMatch(
      ReasonCode::kBeneficiaryAccountListed,
      {Expired(Confidence::kConfirmed), Expired(Confidence::kSuspected)});
  const ScoreResult r = ScoreOne(m, 50'000'000);
  EXPECT_THAT(r.reasons, IsEmpty());
  EXPECT_EQ(r.score, 0);
  EXPECT_EQ(r.decision, Decision::kAllow);
}

TEST(ScoreTest, NoReportsGiveNoReason) {
  const ScoreResult r =
      ScoreOne(MakeMatch(ReasonCode::kBeneficiaryAccountListed, {}));
  EXPECT_THAT(r.reasons, IsEmpty());
  EXPECT_EQ(r.decision, Decision::kAllow);
}

TEST(ScoreTest, DelistedGivesNoReason) {
  Match m =
      MakeMatch(ReasonCode::kBeneficiaryAccountListed,
                {Fresh(Confidence::kConfirmed), Fresh(Confidence::kConfirmed)});
  m.delisted = true;
  const ScoreResult r = ScoreOne(m, 50'000'000);
  EXPECT_THAT(r.reasons, IsEmpty());
  EXPECT_EQ(r.score, 0);
  EXPECT_EQ(r.decision, Decision::kAllow);

  // Delisting one identifier leaves the others scoring.
  const Match contact = MakeMatch(ReasonCode::kContactListed,
                                  {Fresh(Confidence::kSuspected)}, Phone());
  const ScoreResult both = Score(ScoringOptions(), {m, contact}, 0, kNow);
  ASSERT_THAT(both.reasons, SizeIs(1));
  EXPECT_EQ(both.reasons[0].identifier, Phone());
  EXPECT_EQ(both.score, 50);
}

TEST(ScoreTest, LargeAmountBoostOnlyWhenAReasonFired) {
  const Match phone = MakeMatch(ReasonCode::kBeneficiaryPhoneListed,
                                {Fresh(Confidence::kConfirmed)}, Phone());
  struct Case {
    int64_t amount;
    int want;
    Decision decision;
  };
  for (const Case& c :
       {Case{0, 80, Decision::kHold}, Case{9'999'999, 80, Decision::kHold},
        Case{10'000'000, 85, Decision::kBlock},
        Case{500'000'000, 85, Decision::kBlock}}) {
    const ScoreResult r = ScoreOne(phone, c.amount);
    EXPECT_EQ(r.score, c.want) << c.amount;
    EXPECT_EQ(r.decision, c.decision) << c.amount;
    // The boost is on the score, not on the reason.
    ASSERT_THAT(r.reasons, SizeIs(1));
    EXPECT_EQ(r.reasons[0].points, 80) << c.amount;
  }
  // No reason: no boost, whatever the amount.
  Match delisted = phone;
  delisted.delisted = true;
  EXPECT_EQ(ScoreOne(delisted, 10'000'000).score, 0);
  EXPECT_EQ(Score(ScoringOptions(), {}, 10'000'000, kNow).score, 0);

  // The amount and the points are options.
  ScoringOptions o;
  o.large_amount = 1'000;
  o.large_amount_points = 7;
  EXPECT_EQ(ScoreOne(phone, 999, o).score, 80);
  EXPECT_EQ(ScoreOne(phone, 1'000, o).score, 87);
}

TEST(ScoreTest, CappedAtOneHundred) {
  constexpr Confidence kC = Confidence::kConfirmed;
  // 90 + 10 extra = 100; + 5 for the amount stays 100.
  const Match m = MakeMatch(ReasonCode::kBeneficiaryAccountListed,
                            {Fresh(kC), Fresh(kC), Fresh(kC)});
  const ScoreResult r = ScoreOne(m, 10'000'000);
  EXPECT_EQ(r.score, 100);
  EXPECT_EQ(r.decision, Decision::kBlock);
  ASSERT_THAT(r.reasons, SizeIs(1));
  EXPECT_EQ(r.reasons[0].points, 100);

  // A reason's own points are capped too.
  ScoringOptions o;
  o.beneficiary_account_confirmed = 100;
  o.extra_report_points = 50;
  o.extra_report_max = 100;
  const ScoreResult big = ScoreOne(m, 10'000'000, o);
  ASSERT_THAT(big.reasons, SizeIs(1));
  EXPECT_EQ(big.reasons[0].points, 100);
  EXPECT_EQ(big.score, 100);
}

TEST(ScoreTest, OneIdentifierUnderSeveralCodesKeepsItsBestReason) {
  const Match as_beneficiary =
      MakeMatch(ReasonCode::kBeneficiaryPhoneListed,
                {Fresh(Confidence::kConfirmed)}, Phone());
  const Match as_contact = MakeMatch(ReasonCode::kContactListed,
                                     {Fresh(Confidence::kConfirmed)}, Phone());
  const Match in_memo = MakeMatch(ReasonCode::kMemoIdentifierListed,
                                  {Fresh(Confidence::kConfirmed)}, Phone());
  for (const std::vector<Match>& matches :
       {std::vector<Match>{as_beneficiary, as_contact, in_memo},
        std::vector<Match>{in_memo, as_contact, as_beneficiary},
        std::vector<Match>{as_contact, as_beneficiary, in_memo}}) {
    const ScoreResult r = Score(ScoringOptions(), matches, 0, kNow);
    ASSERT_THAT(r.reasons, SizeIs(1));
    EXPECT_EQ(r.reasons[0].code, ReasonCode::kBeneficiaryPhoneListed);
    EXPECT_EQ(r.reasons[0].points, 80);
    EXPECT_EQ(r.score, 80);
  }
}

TEST(ScoreTest, ReasonsSortedByPointsScoreIsTheHighest) {
  const Match memo = MakeMatch(
      ReasonCode::kMemoIdentifierListed, {Fresh(Confidence::kConfirmed)},
      {IdentifierKind::kChatHandle, "TELEGRAM", "abcde"});
  const Match account = MakeMatch(ReasonCode::kBeneficiaryAccountListed,
                                  {Fresh(Confidence::kSuspected)}, Account());
  const Match contact = MakeMatch(ReasonCode::kContactListed,
                                  {Fresh(Confidence::kConfirmed)}, Phone());
  const Match number = MakeMatch(
      ReasonCode::kBeneficiaryAccountNumberListed,
      {Fresh(Confidence::kSuspected)},
      {IdentifierKind::kBankAccount, std::string(kAnyBank), "0123456789"});
  const ScoreResult r =
      Score(ScoringOptions(), {memo, account, contact, number}, 0, kNow);
  ASSERT_THAT(r.reasons, SizeIs(4));
  EXPECT_EQ(r.reasons[0].code, ReasonCode::kContactListed);
  EXPECT_EQ(r.reasons[0].points, 70);
  EXPECT_EQ(r.reasons[1].code, ReasonCode::kBeneficiaryAccountListed);
  EXPECT_EQ(r.reasons[1].points, 60);
  EXPECT_EQ(r.reasons[2].code, ReasonCode::kBeneficiaryAccountNumberListed);
  EXPECT_EQ(r.reasons[2].points, 45);
  EXPECT_EQ(r.reasons[3].code, ReasonCode::kMemoIdentifierListed);
  EXPECT_EQ(r.reasons[3].points, 40);
  // The score is the best reason, not a sum.
  EXPECT_EQ(r.score, 70);
  EXPECT_EQ(r.decision, Decision::kHold);
}

TEST(ScoreTest, ReasonFacts) {
  ReportFacts old_report =
      Fresh(Confidence::kConfirmed, Category::kInvestmentScam, Days(100));
  ReportFacts newest =
      Fresh(Confidence::kSuspected, Category::kExtortionDeepfake, Days(2));
  ReportFacts middle =
      Fresh(Confidence::kSuspected, Category::kInvestmentScam, Days(50));
  // Expired reports are newer still but do not count at all.
  ReportFacts expired =
      Expired(Confidence::kConfirmed, Category::kShoppingScam);
  expired.reported_at = kNow - Days(1);
  const Identifier id = Account("9988776655");
  const Match m = MakeMatch(ReasonCode::kBeneficiaryAccountListed,
                            {old_report, expired, newest, middle}, id);
  const ScoreResult r = ScoreOne(m);
  ASSERT_THAT(r.reasons, SizeIs(1));
  const ScoredReason& reason = r.reasons[0];
  EXPECT_EQ(reason.code, ReasonCode::kBeneficiaryAccountListed);
  EXPECT_EQ(reason.identifier, id);
  EXPECT_EQ(reason.report_count, 3);
  EXPECT_EQ(reason.last_reported_at, kNow - Days(2));
  EXPECT_EQ(reason.top_category, Category::kExtortionDeepfake);
  EXPECT_THAT(reason.categories, ElementsAre(Category::kInvestmentScam,
                                             Category::kExtortionDeepfake));
  // Confirmed 90 + two extras.
  EXPECT_EQ(reason.points, 100);
}

TEST(ScoreTest, TopCategoryIsOfTheNewestReportWhateverItsPosition) {
  for (Category newest : kAllCategories) {
    for (bool newest_first : {true, false}) {
      const ReportFacts a =
          Fresh(Confidence::kConfirmed, Category::kOther, Days(20));
      const ReportFacts b = Fresh(Confidence::kSuspected, newest, Days(3));
      const Match m = MakeMatch(ReasonCode::kContactListed,
                                newest_first ? std::vector<ReportFacts>{b, a}
                                             : std::vector<ReportFacts>{a, b});
      const ScoreResult r = ScoreOne(m);
      ASSERT_THAT(r.reasons, SizeIs(1));
      EXPECT_EQ(r.reasons[0].top_category, newest);
      EXPECT_EQ(r.reasons[0].last_reported_at, kNow - Days(3));
    }
  }
}

// ValidateScoringOptions: one field set to a value, and whether it is valid.
struct OptionCase {
  std::string_view field;
  std::function<void(ScoringOptions&)> set;
  bool ok;
};

std::vector<OptionCase> OptionCases() {
  std::vector<OptionCase> cases;
  struct PointsField {
    std::string_view name;
    int ScoringOptions::*member;
  };
  const PointsField points_fields[] = {
      {"beneficiary_account_confirmed",
       &ScoringOptions::beneficiary_account_confirmed},
      {"beneficiary_account_suspected",
       &ScoringOptions::beneficiary_account_suspected},
      {"beneficiary_account_number_confirmed",
       &ScoringOptions::beneficiary_account_number_confirmed},
      {"beneficiary_account_number_suspected",
       &ScoringOptions::beneficiary_account_number_suspected},
      {"beneficiary_phone_confirmed",
       &ScoringOptions::beneficiary_phone_confirmed},
      {"beneficiary_phone_suspected",
       &ScoringOptions::beneficiary_phone_suspected},
      {"contact_confirmed", &ScoringOptions::contact_confirmed},
      {"contact_suspected", &ScoringOptions::contact_suspected},
      {"memo_confirmed", &ScoringOptions::memo_confirmed},
      {"memo_suspected", &ScoringOptions::memo_suspected},
      {"extra_report_points", &ScoringOptions::extra_report_points},
      {"extra_report_max", &ScoringOptions::extra_report_max},
      {"large_amount_points", &ScoringOptions::large_amount_points},
  };
  for (const PointsField& f : points_fields) {
    for (int v : {-1, 101, std::numeric_limits<int>::min()}) {
      cases.push_back(
          {f.name, [m = f.member, v](ScoringOptions& o) { o.*m = v; }, false});
    }
    for (int v : {0, 100}) {
      cases.push_back(
          {f.name, [m = f.member, v](ScoringOptions& o) { o.*m = v; }, true});
    }
  }
  cases.push_back(
      {"large_amount", [](ScoringOptions& o) { o.large_amount = -1; }, false});
  cases.push_back(
      {"large_amount", [](ScoringOptions& o) { o.large_amount = 0; }, true});
  cases.push_back({"large_amount",
                   [](ScoringOptions& o) {
                     o.large_amount = std::numeric_limits<int64_t>::max();
                   },
                   true});
  cases.push_back({"stale_report_days",
                   [](ScoringOptions& o) { o.stale_report_days = -1; }, false});
  cases.push_back({"stale_report_days",
                   [](ScoringOptions& o) { o.stale_report_days = 0; }, false});
  cases.push_back({"stale_report_days",
                   [](ScoringOptions& o) { o.stale_report_days = 1; }, true});
  cases.push_back({"warn_threshold",
                   [](ScoringOptions& o) { o.warn_threshold = 0; }, false});
  cases.push_back({"warn_threshold",
                   [](ScoringOptions& o) { o.warn_threshold = -5; }, false});
  cases.push_back({"warn_threshold",
                   [](ScoringOptions& o) { o.warn_threshold = 1; }, true});
  cases.push_back({"hold_threshold",
                   [](ScoringOptions& o) { o.hold_threshold = 29; }, false});
  cases.push_back({"hold_threshold",
                   [](ScoringOptions& o) { o.hold_threshold = 30; }, true});
  cases.push_back({"block_threshold",
                   [](ScoringOptions& o) { o.block_threshold = 59; }, false});
  cases.push_back({"block_threshold",
                   [](ScoringOptions& o) { o.block_threshold = 101; }, false});
  cases.push_back({"block_threshold",
                   [](ScoringOptions& o) { o.block_threshold = 100; }, true});
  cases.push_back({"warn_threshold",
                   [](ScoringOptions& o) {
                     o.warn_threshold = 50;
                     o.hold_threshold = 50;
                     o.block_threshold = 50;
                   },
                   true});
  return cases;
}

TEST(ValidateScoringOptionsTest, RangesAndOrderNamingTheField) {
  for (const OptionCase& c : OptionCases()) {
    ScoringOptions o;
    c.set(o);
    const absl::Status status = ValidateScoringOptions(o);
    if (c.ok) {
      EXPECT_TRUE(status.ok()) << c.field << ": " << status;
    } else {
      ASSERT_FALSE(status.ok()) << c.field;
      EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.field;
      EXPECT_THAT(Message(status), StartsWith(std::string(c.field) + ": "));
    }
  }
}

TEST(ValidateScoringOptionsTest, MessageSaysWhatIsAllowed) {
  ScoringOptions o;
  o.contact_suspected = 120;
  const absl::Status status = ValidateScoringOptions(o);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(Message(status), StartsWith("contact_suspected: "));
  EXPECT_THAT(Message(status), HasSubstr("120"));
}

}  // namespace
}  // namespace fraudgate::core
