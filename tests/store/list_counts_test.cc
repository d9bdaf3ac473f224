// The blocklist's counts by kind and status (store/list_counts.h): kept by
// every mutation and by the bulk load in the same write as the entities,
// stored in meta, and counted once on opening a store that has none.
#include "store/list_counts.h"

#include <memory>
#include <optional>
#include <string>

#include "absl/time/time.h"
#include "fraudgate/v1/fraudgate.pb.h"
#include "fraudgate/v1/storage.pb.h"
#include "gtest/gtest.h"
#include "store/blocklist_store.h"
#include "store/bulk_load.h"
#include "store/keys.h"
#include "store/mutation_batch.h"
#include "tests/testing/matchers.h"
#include "tests/testing/store_fixture.h"

namespace fraudgate::store {
namespace {

using ::fraudgate::testing::BlocklistStoreFixture;
using ::fraudgate::testing::kAccount;
using ::fraudgate::testing::KeyOf;
using ::fraudgate::testing::kHandle;
using ::fraudgate::testing::kOtherPhone;
using ::fraudgate::testing::kPhone;
using ::fraudgate::testing::kWallet;
using ::fraudgate::testing::MakeReport;
using ::fraudgate::testing::RawDb;
using ::fraudgate::testing::T;

// Counts built from (kind, status, count) triples.
ListCounts Counts(std::initializer_list<
                  std::tuple<v1::IdentifierKind, v1::EntityStatus, int64_t>>
                      counts) {
  ListCounts result;
  for (const auto& [kind, status, count] : counts) {
    v1::Entity entity;
    entity.mutable_identifier()->set_kind(kind);
    entity.set_status(status);
    result.Add(entity, count);
  }
  return result;
}

std::string Describe(const ListCounts& counts) {
  std::string out;
  for (int kind = 0; kind <= v1::IdentifierKind_MAX; ++kind) {
    for (int status = 0; status <= v1::EntityStatus_MAX; ++status) {
      const int64_t n = counts.Get(static_cast<v1::IdentifierKind>(kind),
                                   static_cast<v1::EntityStatus>(status));
      if (n != 0) {
        out += v1::IdentifierKind_Name(kind) + "/" +
               v1::EntityStatus_Name(status) + "=" + std::to_string(n) + " ";
      }
    }
  }
  return out;
}

class ListCountsTest : public BlocklistStoreFixture {
 protected:
  // The counts of a store that never kept them: the store is closed, its
  // meta entry removed, and the store opened again, which counts the
  // entities (and stores the counts again).
  ListCounts Recounted() {
    EXPECT_TRUE(ReplaceStoredCounts(std::nullopt));
    Reopen();
    return list().Counts();
  }

  // Closes the store and replaces its stored counts with `value` (removes
  // them for nullopt); returns what was stored.
  std::optional<std::string> ReplaceStoredCounts(
      const std::optional<std::string>& value) {
    store_.reset();
    RawDb raw(dir_.File("db"));
    EXPECT_TRUE(raw.ok());
    if (!raw.ok()) return std::nullopt;
    const std::string key(kListCountsKey);
    std::optional<std::string> stored = raw.Find(Cf::kMeta, key);
    if (value) {
      raw.Put(Cf::kMeta, key, *value);
    } else {
      raw.Delete(Cf::kMeta, key);
    }
    return stored;
  }

  // Counts() is `expected`, and so is a count of the stored entities.
  void ExpectCounts(const ListCounts& expected) {
    EXPECT_EQ(Describe(list().Counts()), Describe(expected));
    EXPECT_EQ(Describe(Recounted()), Describe(expected));
  }
};

TEST(ListCountsValueTest, EncodesAndDecodes) {
  const ListCounts counts = Counts(
      {{v1::PHONE, v1::ACTIVE, 3}, {v1::CHAT_HANDLE, v1::DELISTED, 1000000}});
  ASSERT_OK_AND_ASSIGN(auto decoded_at, ListCounts::Decode(counts.Encode(7)));
  const auto& [decoded, version] = decoded_at;
  EXPECT_EQ(version, 7u);
  EXPECT_EQ(decoded, counts);
  EXPECT_EQ(decoded.Get(v1::CHAT_HANDLE, v1::DELISTED), 1000000);
  EXPECT_EQ(decoded.Get(v1::PHONE, v1::DELISTED), 0);
  // An entity never listed (no identifier) counts nowhere.
  ListCounts none;
  none.Add(v1::Entity());
  // Nor does one with a kind or status this build does not know.
  v1::Entity unknown;
  unknown.mutable_identifier()->set_kind(static_cast<v1::IdentifierKind>(40));
  none.Add(unknown);
  unknown.mutable_identifier()->set_kind(v1::PHONE);
  unknown.set_status(static_cast<v1::EntityStatus>(40));
  none.Add(unknown);
  EXPECT_EQ(none, ListCounts());
}

TEST(ListCountsValueTest, RefusesUnreadableValuesAndLeavesOutUnknownOnes) {
  EXPECT_EQ(ListCounts::Decode("\xff\xff").status().code(),
            absl::StatusCode::kDataLoss);
  // Counts of a kind a later build added are left out; the rest is read.
  v1::ListCounts message;
  message.set_list_version(3);
  v1::ListCounts::Count* unknown = message.add_counts();
  unknown->set_kind(static_cast<v1::IdentifierKind>(9));
  unknown->set_status(v1::ACTIVE);
  unknown->set_count(4);
  v1::ListCounts::Count* phones = message.add_counts();
  phones->set_kind(v1::PHONE);
  phones->set_status(v1::ACTIVE);
  phones->set_count(2);
  ASSERT_OK_AND_ASSIGN(auto decoded,
                       ListCounts::Decode(message.SerializeAsString()));
  EXPECT_EQ(decoded.second, 3u);
  EXPECT_EQ(decoded.first, Counts({{v1::PHONE, v1::ACTIVE, 2}}));
}

// The state before the batch is the first one staged; a key staged again
// (an identifier named twice) is the same entity, counted once.
TEST(MutationBatchTest, AKeyStagedTwiceIsOneEntityCountedOnce) {
  MutationBatch batch;
  v1::Entity stored;
  *stored.mutable_identifier() = kPhone;
  stored.set_status(v1::ACTIVE);
  v1::Entity* first = batch.StageEntity("k", stored);
  first->set_status(v1::DELISTED);
  v1::Entity* second = batch.StageEntity("k", stored);
  EXPECT_EQ(first, second);
  EXPECT_EQ(second->status(), v1::DELISTED);
  EXPECT_EQ(batch.entities.size(), 1u);
  EXPECT_EQ(batch.counts_before, Counts({{v1::PHONE, v1::ACTIVE, 1}}));
}

TEST_F(ListCountsTest, NewStoreCountsNothing) {
  EXPECT_EQ(list().Counts(), ListCounts());
}

TEST_F(ListCountsTest, EveryMutationKeepsTheCounts) {
  ASSERT_OK(list().ApplyReport(
      MakeReport("A05", "R-1", {kPhone, kAccount, kWallet, kHandle}, T(0)),
      "police/a05", T(10)));
  ASSERT_OK(
      list().ApplyReport(MakeReport("A05", "R-2", {kPhone, kOtherPhone}, T(20)),
                         "police/a05", T(30)));
  ExpectCounts(Counts({{v1::PHONE, v1::ACTIVE, 2},
                       {v1::BANK_ACCOUNT, v1::ACTIVE, 1},
                       {v1::EWALLET, v1::ACTIVE, 1},
                       {v1::CHAT_HANDLE, v1::ACTIVE, 1}}));

  // Unchanged re-upload, delisting, delisting again.
  ASSERT_OK(
      list().ApplyReport(MakeReport("A05", "R-2", {kPhone, kOtherPhone}, T(20)),
                         "police/a05", T(40)));
  ASSERT_OK(list().Delist(kAccount, "paid back", "CV-1", "police/a05", T(50)));
  ASSERT_OK(list().Delist(kAccount, "paid back", "CV-1", "police/a05", T(60)));
  ExpectCounts(Counts({{v1::PHONE, v1::ACTIVE, 2},
                       {v1::BANK_ACCOUNT, v1::DELISTED, 1},
                       {v1::EWALLET, v1::ACTIVE, 1},
                       {v1::CHAT_HANDLE, v1::ACTIVE, 1}}));

  // Withdrawing R-2 delists the phone only it named; kPhone stays listed
  // through R-1.
  ASSERT_OK(list().WithdrawReport("A05", "R-2", "mistaken", "CV-2",
                                  "police/a05", T(70)));
  // A new report re-activates the delisted account.
  ASSERT_OK(list().ApplyReport(MakeReport("A05", "R-3", {kAccount}, T(80)),
                               "police/a05", T(90)));
  ExpectCounts(Counts({{v1::PHONE, v1::ACTIVE, 1},
                       {v1::PHONE, v1::DELISTED, 1},
                       {v1::BANK_ACCOUNT, v1::ACTIVE, 1},
                       {v1::EWALLET, v1::ACTIVE, 1},
                       {v1::CHAT_HANDLE, v1::ACTIVE, 1}}));

  // Kept across a reopen, from meta.
  const ListCounts before = list().Counts();
  Reopen();
  EXPECT_EQ(Describe(list().Counts()), Describe(before));
}

TEST_F(ListCountsTest, ReportsSharingIdentifiersInOneBatchCountThemOnce) {
  ASSERT_OK(list().ApplyReports(
      {MakeReport("A05", "R-1", {kPhone, kAccount}, T(0)),
       MakeReport("A05", "R-2", {kPhone}, T(1)),
       MakeReport("A05", "R-1", {kPhone, kAccount, kHandle}, T(2))},
      "police/a05", T(10)));
  ExpectCounts(Counts({{v1::PHONE, v1::ACTIVE, 1},
                       {v1::BANK_ACCOUNT, v1::ACTIVE, 1},
                       {v1::CHAT_HANDLE, v1::ACTIVE, 1}}));
}

TEST_F(ListCountsTest, FailedCommitLeavesTheCounts) {
  ASSERT_NO_FATAL_FAILURE(UseFaultEnv());
  ASSERT_OK(list().ApplyReport(MakeReport("A05", "R-1", {kPhone}, T(0)),
                               "police/a05", T(10)));
  fault_env_.FailWrites(true);
  EXPECT_FALSE(list()
                   .ApplyReport(MakeReport("A05", "R-2", {kAccount}, T(1)),
                                "police/a05", T(20))
                   .ok());
  EXPECT_FALSE(
      list().Delist(kPhone, "paid back", "CV-1", "police/a05", T(30)).ok());
  EXPECT_EQ(Describe(list().Counts()),
            Describe(Counts({{v1::PHONE, v1::ACTIVE, 1}})));
  // RocksDB stops accepting writes after a failed log write: close while the
  // fault is armed, then reopen healthy.
  store_.reset();
  fault_env_.FailWrites(false);
  ASSERT_NO_FATAL_FAILURE(Reopen());
  ExpectCounts(Counts({{v1::PHONE, v1::ACTIVE, 1}}));
}

// Counts of another list version were written by a build that kept them,
// before one that did not changed the list: they are counted again.
TEST_F(ListCountsTest, CountsOfAnotherListVersionAreRecounted) {
  ASSERT_OK(list().ApplyReport(MakeReport("A05", "R-1", {kPhone}, T(0)),
                               "police/a05", T(10)));
  ReplaceStoredCounts(Counts({{v1::EWALLET, v1::DELISTED, 5}}).Encode(0));
  Reopen();
  EXPECT_EQ(Describe(list().Counts()),
            Describe(Counts({{v1::PHONE, v1::ACTIVE, 1}})));
}

TEST_F(ListCountsTest, ReadOnlyOpenOfAStoreWithoutCountsWorks) {
  ASSERT_OK(list().ApplyReport(MakeReport("A05", "R-1", {kPhone}, T(0)),
                               "police/a05", T(10)));
  ReplaceStoredCounts(std::nullopt);
  StoreOptions options;
  options.path = dir_.File("db");
  options.read_only = true;
  ASSERT_OK_AND_ASSIGN(auto read_only, Store::Open(options));
  EXPECT_EQ(read_only->blocklist().list_version(), 1u);
  EXPECT_EQ(read_only->blocklist().Counts(), ListCounts());
  ASSERT_OK_AND_ASSIGN(AuditCheck check, read_only->blocklist().VerifyAudit());
  EXPECT_TRUE(check.ok) << check.problem;
}

TEST_F(ListCountsTest, BulkLoadOnTopOfStoredEntitiesKeepsTheCounts) {
  ASSERT_OK(list().ApplyReport(
      MakeReport("A05", "R-1", {kPhone, kAccount}, T(0)), "police/a05", T(10)));
  ASSERT_OK(list().Delist(kAccount, "paid back", "CV-1", "police/a05", T(20)));
  {
    ASSERT_OK_AND_ASSIGN(auto load, BulkLoad::Start(&list(), "police/a05",
                                                    T(30), dir_.File("bulk")));
    // kPhone again (already ACTIVE), kAccount again (re-activated), and two
    // new identifiers.
    ASSERT_OK(
        load->Add({MakeReport("A05", "R-2", {kPhone, kAccount, kWallet}, T(25)),
                   MakeReport("A05", "R-3", {kHandle}, T(26))}));
    ASSERT_OK(load->Commit());
  }
  ExpectCounts(Counts({{v1::PHONE, v1::ACTIVE, 1},
                       {v1::BANK_ACCOUNT, v1::ACTIVE, 1},
                       {v1::EWALLET, v1::ACTIVE, 1},
                       {v1::CHAT_HANDLE, v1::ACTIVE, 1}}));
}

TEST_F(ListCountsTest, UnreadableStoredCountsFailTheOpen) {
  ASSERT_OK(list().ApplyReport(MakeReport("A05", "R-1", {kPhone}, T(0)),
                               "police/a05", T(10)));
  ReplaceStoredCounts("\xff\xff");
  StoreOptions options;
  options.path = dir_.File("db");
  EXPECT_EQ(Store::Open(options).status().code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace fraudgate::store
