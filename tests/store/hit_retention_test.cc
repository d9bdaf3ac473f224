// HitStore::RemoveExpired against a real RocksDB: screenings past their
// retention go with every index entry written for them (checked in the raw
// column families), the rest stay whole; matched and unmatched screenings
// have separate cutoffs; large backlogs are removed in batches; a failed
// write removes nothing; a verdict on a removed hit is NOT_FOUND.
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "core/identifier.h"
#include "fraudgate/v1/storage.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "proto/proto_time.h"
#include "store/db.h"
#include "store/hit_store.h"
#include "store/store.h"
#include "tests/testing/matchers.h"
#include "tests/testing/proto_printer.h"
#include "tests/testing/store_fixture.h"

namespace fraudgate::store {
namespace {

using ::fraudgate::testing::RawDb;
using ::fraudgate::testing::StoreFixture;
using ::fraudgate::testing::T;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using ::testing::UnorderedElementsAre;

constexpr absl::Duration kDay = absl::Hours(24);

std::string AccountKey(const std::string& number) {
  return core::Identifier{core::IdentifierKind::kBankAccount, "970436", number}
      .Key();
}

class HitRetentionTest : public StoreFixture {
 protected:
  HitStore& hits() { return store_->hits(); }

  // Stores a screening at `at` to account `number`: matched (indexed under
  // the account, as the screener does for a listed one) or not (keyed hash
  // only). Returns its hit id.
  std::string Screen(const std::string& transfer_id, absl::Time at,
                     const std::string& number, bool matched) {
    v1::HitRecord record;
    v1::Hit* hit = record.mutable_hit();
    hit->set_hit_id(hits().NewHitId(at));
    hit->set_transfer_id(transfer_id);
    hit->set_caller("admin/insecure");
    *hit->mutable_screened_at() = ToProtoTime(at);
    hit->set_decision(matched ? v1::DECISION_BLOCK : v1::DECISION_ALLOW);
    const std::vector<std::string> keys = {AccountKey(number)};
    auto put = hits().PutIfAbsent(
        &record, matched ? keys : std::vector<std::string>{}, keys);
    EXPECT_TRUE(put.ok()) << put.status();
    EXPECT_EQ(put.ok() ? *put : std::nullopt, std::nullopt);
    return hit->hit_id();
  }

  bool Exists(const std::string& hit_id) {
    auto hit = hits().Get(hit_id);
    EXPECT_TRUE(hit.ok()) << hit.status();
    return hit.ok() && hit->has_value();
  }

  std::vector<std::string> IdsOf(HitQuery query) {
    query.page_size = 1000;
    auto page = hits().Query(query);
    EXPECT_TRUE(page.ok()) << page.status();
    std::vector<std::string> ids;
    if (page.ok()) {
      for (const auto& h : page->hits) ids.push_back(h.hit().hit_id());
    }
    return ids;
  }

  const absl::Time now_ = T(1000 * 86400);
  const absl::Time matched_before_ = now_ - 400 * kDay;
  const absl::Time unmatched_before_ = now_ - 90 * kDay;
};

TEST_F(HitRetentionTest, RemovesExpiredScreeningsWithEveryIndexEntry) {
  const std::string old_hit = Screen("TX-1", now_ - 401 * kDay, "111", true);
  const std::string kept_hit = Screen("TX-2", now_ - 200 * kDay, "111", true);
  const std::string old_plain = Screen("TX-3", now_ - 91 * kDay, "222", false);
  const std::string kept_plain = Screen("TX-4", now_ - 89 * kDay, "222", false);
  const std::string new_hit = Screen("TX-5", now_ - kDay, "111", true);

  ASSERT_OK_AND_ASSIGN(
      int64_t removed,
      hits().RemoveExpired(matched_before_, unmatched_before_));
  EXPECT_EQ(removed, 2);
  EXPECT_FALSE(Exists(old_hit));
  EXPECT_FALSE(Exists(old_plain));
  EXPECT_TRUE(Exists(kept_hit));
  EXPECT_TRUE(Exists(kept_plain));
  EXPECT_TRUE(Exists(new_hit));

  HitQuery by_identifier;
  by_identifier.identifier_key = AccountKey("111");
  EXPECT_THAT(IdsOf(by_identifier), UnorderedElementsAre(new_hit, kept_hit));
  HitQuery by_beneficiary;
  by_beneficiary.beneficiary_key = AccountKey("222");
  EXPECT_THAT(IdsOf(by_beneficiary), UnorderedElementsAre(kept_plain));
  ASSERT_OK_AND_ASSIGN(auto gone,
                       hits().FindByTransfer("admin/insecure", "TX-1"));
  EXPECT_EQ(gone, std::nullopt);

  // Nothing is left behind in any history column family: one transfer entry
  // and one keyed-hash entry per kept screening, identifier entries for the
  // two kept matched ones.
  store_.reset();
  RawDb raw(dir_.File("db"));
  ASSERT_TRUE(raw.ok());
  EXPECT_THAT(raw.Keys(Cf::kHits), SizeIs(3));
  EXPECT_THAT(raw.Keys(Cf::kHitsByTransfer), SizeIs(3));
  EXPECT_THAT(raw.Keys(Cf::kHitsByBeneficiary), SizeIs(3));
  EXPECT_THAT(raw.Keys(Cf::kHitsByIdentifier), SizeIs(2));
}

TEST_F(HitRetentionTest, SecondRunRemovesNothingAndTransferIdIsFreeAgain) {
  const std::string old_hit = Screen("TX-1", now_ - 500 * kDay, "111", true);
  ASSERT_OK_AND_ASSIGN(
      int64_t first, hits().RemoveExpired(matched_before_, unmatched_before_));
  EXPECT_EQ(first, 1);
  ASSERT_OK_AND_ASSIGN(
      int64_t second, hits().RemoveExpired(matched_before_, unmatched_before_));
  EXPECT_EQ(second, 0);
  // The transfer's idempotency entry went with its hit: the same transfer id
  // screened again is a new screening.
  const std::string again = Screen("TX-1", now_, "111", true);
  EXPECT_NE(again, old_hit);
  EXPECT_TRUE(Exists(again));
}

TEST_F(HitRetentionTest, MatchedAndUnmatchedCutoffsAreIndependent) {
  // A configuration may keep unmatched screenings longer than hits.
  const std::string hit = Screen("TX-1", now_ - 20 * kDay, "111", true);
  const std::string plain = Screen("TX-2", now_ - 20 * kDay, "222", false);
  ASSERT_OK_AND_ASSIGN(int64_t removed, hits().RemoveExpired(now_ - 10 * kDay,
                                                             now_ - 30 * kDay));
  EXPECT_EQ(removed, 1);
  EXPECT_FALSE(Exists(hit));
  EXPECT_TRUE(Exists(plain));
}

TEST_F(HitRetentionTest, LargeBacklogIsRemovedInBatches) {
  std::vector<std::string> old;
  for (int i = 0; i < 2500; ++i) {
    old.push_back(Screen("OLD-" + std::to_string(i),
                         now_ - 100 * kDay + absl::Seconds(i), "222", false));
  }
  const std::string kept = Screen("NEW", now_ - kDay, "222", false);
  ASSERT_OK_AND_ASSIGN(
      int64_t removed,
      hits().RemoveExpired(matched_before_, unmatched_before_, 300));
  EXPECT_EQ(removed, 2500);
  EXPECT_THAT(IdsOf(HitQuery()), UnorderedElementsAre(kept));
  HitQuery by_beneficiary;
  by_beneficiary.beneficiary_key = AccountKey("222");
  EXPECT_THAT(IdsOf(by_beneficiary), UnorderedElementsAre(kept));
}

TEST_F(HitRetentionTest, VerdictOnARemovedHitIsNotFound) {
  const std::string old_hit = Screen("TX-1", now_ - 401 * kDay, "111", true);
  const std::string kept_hit = Screen("TX-2", now_ - 10 * kDay, "111", true);
  ASSERT_TRUE(hits().RemoveExpired(matched_before_, unmatched_before_).ok());
  EXPECT_EQ(
      hits()
          .RecordOutcome(old_hit, v1::FALSE_POSITIVE, "", "analyst/a", now_)
          .status()
          .code(),
      absl::StatusCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(v1::HitRecord kept,
                       hits().RecordOutcome(kept_hit, v1::CONFIRMED_FRAUD, "",
                                            "analyst/a", now_));
  EXPECT_EQ(kept.hit().outcome(), v1::CONFIRMED_FRAUD);
  // The verdict is kept by the next run: the record keeps its index keys.
  ASSERT_OK_AND_ASSIGN(
      int64_t removed,
      hits().RemoveExpired(matched_before_, unmatched_before_));
  EXPECT_EQ(removed, 0);
  EXPECT_TRUE(Exists(kept_hit));
}

TEST_F(HitRetentionTest, FailedWriteRemovesNothing) {
  ASSERT_NO_FATAL_FAILURE(UseFaultEnv());
  const std::string old_hit = Screen("TX-1", now_ - 401 * kDay, "111", true);
  fault_env_.FailWrites(true);
  EXPECT_EQ(
      hits().RemoveExpired(matched_before_, unmatched_before_).status().code(),
      absl::StatusCode::kUnavailable);
  fault_env_.FailWrites(false);
  ASSERT_NO_FATAL_FAILURE(Reopen());
  EXPECT_TRUE(Exists(old_hit));
  HitQuery by_identifier;
  by_identifier.identifier_key = AccountKey("111");
  EXPECT_THAT(IdsOf(by_identifier), UnorderedElementsAre(old_hit));
}

}  // namespace
}  // namespace fraudgate::store
