// BulkLoad (offline SST ingestion) against the online ApplyReports path: the
// same reports by the same actor at the same time must leave byte-identical
// column families.
#include "store/bulk_load.h"

#include <algorithm>
#include <functional>
#include <map>
#include <random>

#include "absl/time/civil_time.h"
#include "core/text.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "proto/proto_time.h"
#include "store/db.h"
#include "store/keys.h"
#include "store/store.h"
#include "tests/testing/matchers.h"
#include "tests/testing/proto_printer.h"
#include "tests/testing/temp_dir.h"

namespace fraudgate::store {
namespace {

using ::fraudgate::testing::TempDir;

const absl::Time kNow = absl::FromCivil(absl::CivilSecond(2026, 11, 1, 9, 0, 0),
                                        absl::UTCTimeZone());

v1::Identifier Phone(int n) {
  v1::Identifier id;
  id.set_kind(v1::PHONE);
  id.set_value(core::StrCat("+8491", 1000000 + n));
  return id;
}

v1::Identifier Account(int n) {
  v1::Identifier id;
  id.set_kind(v1::BANK_ACCOUNT);
  id.set_issuer(n % 2 ? "970436" : "*");
  id.set_value(core::StrCat("0071", 100000 + n));
  return id;
}

// Reports that share identifiers (so entities gather several reports and
// links), re-upload some reports with more identifiers, and repeat one.
std::vector<v1::Report> SyntheticReports(int count, int seed) {
  std::mt19937 rng(seed);
  std::vector<v1::Report> reports;
  for (int i = 0; i < count; ++i) {
    v1::Report r;
    r.set_report_id(core::StrCat("R-", i % (count - 5)));  // some repeats
    r.set_agency(i % 3 ? "PA05-CA Kon Tum" : "A05-BCA");
    r.set_category(static_cast<v1::Category>(1 + rng() % 6));
    r.set_confidence(rng() % 2 ? v1::CONFIRMED : v1::SUSPECTED);
    *r.mutable_reported_at() = ToProtoTime(kNow - absl::Hours(rng() % 5000));
    const int identifiers = 1 + rng() % 4;
    for (int k = 0; k < identifiers; ++k) {
      const int n = rng() % (count / 2 + 1);  // shared across reports
      *r.add_identifiers() = rng() % 2 ? Phone(n) : Account(n);
    }
    // Keep identifiers distinct within a report, as the service does.
    std::map<std::string, v1::Identifier> distinct;
    for (const auto& id : r.identifiers()) {
      distinct.emplace(id.ShortDebugString(), id);
    }
    r.clear_identifiers();
    for (auto& [key, id] : distinct) *r.add_identifiers() = id;
    reports.push_back(std::move(r));
  }
  return reports;
}

using CfContents = std::map<std::string, std::string>;

// Every key and value of every column family, read from the raw database.
std::map<std::string, CfContents> Dump(const std::string& path) {
  StoreOptions options;
  options.path = path;
  options.read_only = true;
  auto db = Db::Open(options);
  EXPECT_TRUE(db.ok()) << db.status();
  std::map<std::string, CfContents> dump;
  if (!db.ok()) return dump;
  for (Cf cf : {Cf::kEntities, Cf::kReports, Cf::kAudit, Cf::kMeta}) {
    CfContents& contents = dump[std::string(CfName(cf))];
    // A scan across keys of a hashed-memtable CF needs total_order_seek.
    rocksdb::ReadOptions read;
    read.total_order_seek = true;
    std::unique_ptr<rocksdb::Iterator> it(
        (*db)->get()->NewIterator(read, (*db)->cf(cf)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      contents[it->key().ToString()] = it->value().ToString();
    }
    EXPECT_TRUE(it->status().ok());
  }
  return dump;
}

std::unique_ptr<Store> OpenStore(const std::string& path) {
  StoreOptions options;
  options.path = path;
  auto store = Store::Open(options);
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? *std::move(store) : nullptr;
}

// The entity keys of the identifiers `results` added, sorted.
std::vector<std::string> AddedOnline(
    const std::vector<ApplyReportResult>& results) {
  std::vector<std::string> keys;
  for (const ApplyReportResult& r : results) {
    for (const v1::Identifier& id : r.identifiers_added) {
      keys.push_back(EntityKey(id));
    }
  }
  std::sort(keys.begin(), keys.end());
  return keys;
}

// Commits `load` and checks that it reports `added` (sorted entity keys) as
// the identifiers it listed, in key order, in batches of at most 3.
void CommitAndCheckAdded(BulkLoad& load, const std::vector<std::string>& added,
                         uint64_t expected_version) {
  ASSERT_OK_AND_ASSIGN(BulkLoadResult committed, load.Commit());
  EXPECT_EQ(committed.list_version, expected_version);
  EXPECT_EQ(committed.identifiers_added, static_cast<int64_t>(added.size()));
  std::vector<std::string> keys;
  ASSERT_TRUE(
      (load.ForEachAdded(3, [&](absl::Span<const v1::Identifier* const> batch) {
        EXPECT_GE(batch.size(), 1u);
        EXPECT_LE(batch.size(), 3u);
        for (const v1::Identifier* id : batch) keys.push_back(EntityKey(*id));
        return absl::OkStatus();
      })).ok());
  EXPECT_EQ(keys, added);
}

// Runs `setup` (when set) on stores at `online` and `offline`, then loads
// `batches` online (one ApplyReports call each) into `online` and offline
// (one BulkLoad each, with an Add() call per `chunk` reports, 0: one for the
// batch) into `offline`; the results and the identifiers listed must agree.
// Returns the number of unchanged reports.
int LoadBoth(const std::vector<std::vector<v1::Report>>& batches,
             const std::string& online, const std::string& offline,
             const std::function<void(Store&)>& setup = nullptr,
             size_t chunk = 0) {
  std::vector<std::vector<ApplyReportResult>> online_results;
  {
    auto store = OpenStore(online);
    EXPECT_NE(store, nullptr);
    if (store == nullptr) return 0;
    if (setup) setup(*store);
    for (const auto& batch : batches) {
      auto results =
          store->blocklist().ApplyReports(batch, "police/kontum", kNow);
      EXPECT_TRUE(results.ok()) << results.status();
      if (!results.ok()) return 0;
      online_results.push_back(*std::move(results));
    }
  }
  auto store = OpenStore(offline);
  EXPECT_NE(store, nullptr);
  if (store == nullptr) return 0;
  if (setup) setup(*store);
  int unchanged = 0;
  for (size_t b = 0; b < batches.size(); ++b) {
    auto load = BulkLoad::Start(&store->blocklist(), "police/kontum", kNow,
                                offline + "/bulk");
    EXPECT_TRUE(load.ok()) << load.status();
    if (!load.ok()) return 0;
    const std::vector<v1::Report>& batch = batches[b];
    const size_t step = chunk == 0 ? batch.size() : chunk;
    std::vector<ApplyReportResult> results;
    for (size_t i = 0; i < batch.size(); i += step) {
      const size_t end = std::min(batch.size(), i + step);
      auto part = (*load)->Add(absl::MakeConstSpan(batch).subspan(i, end - i));
      EXPECT_TRUE(part.ok()) << part.status();
      if (!part.ok()) return 0;
      results.insert(results.end(), part->begin(), part->end());
    }
    EXPECT_EQ(results.size(), batch.size());
    bool any_accepted = false;
    for (size_t i = 0; i < results.size() && i < batch.size(); ++i) {
      EXPECT_EQ(results[i].status, online_results[b][i].status) << i;
      EXPECT_EQ(results[i].unchanged, online_results[b][i].unchanged) << i;
      any_accepted |= results[i].status.ok() && !results[i].unchanged;
      unchanged += results[i].unchanged;
    }
    CommitAndCheckAdded(**load, AddedOnline(online_results[b]),
                        store->blocklist().list_version() + any_accepted);
  }
  return unchanged;
}

// The stores at dir/online and dir/offline hold the same bytes in every
// column family, and the offline one's audit chain verifies.
void ExpectSameStores(const TempDir& dir) {
  const auto online = Dump(dir.File("online"));
  const auto offline = Dump(dir.File("offline"));
  ASSERT_FALSE(online.at("entities").empty());
  EXPECT_EQ(online.at("audit").size(), offline.at("audit").size());
  for (const auto& [cf, contents] : online) {
    EXPECT_TRUE(contents == offline.at(cf)) << "column family " << cf;
  }
  auto store = OpenStore(dir.File("offline"));
  ASSERT_NE(store, nullptr);
  ASSERT_OK_AND_ASSIGN(AuditCheck check, store->blocklist().VerifyAudit());
  EXPECT_TRUE(check.ok) << check.problem;
}

TEST(BulkLoadTest, SameReportsGiveByteIdenticalStoreAsOnline) {
  TempDir dir;
  LoadBoth({SyntheticReports(300, 7)}, dir.File("online"), dir.File("offline"));
  ExpectSameStores(dir);
}

// Entities and reports are written as two files split at the median key; a
// load of one report with one identifier (one file) and of two (one entry
// in each file) must match the online path too.
TEST(BulkLoadTest, TinyLoadsMatchOnline) {
  for (int identifiers : {1, 2}) {
    SCOPED_TRACE(identifiers);
    TempDir dir;
    v1::Report report = SyntheticReports(1, 3)[0];
    while (report.identifiers_size() > identifiers) {
      report.mutable_identifiers()->RemoveLast();
    }
    ASSERT_EQ(report.identifiers_size(), identifiers);
    LoadBoth({{report}}, dir.File("online"), dir.File("offline"));
    EXPECT_EQ(Dump(dir.File("online")).at("entities").size(),
              static_cast<size_t>(identifiers));
    ExpectSameStores(dir);
  }
}

TEST(BulkLoadTest, LoadOnTopOfExistingDataMatchesOnline) {
  TempDir dir;
  auto reports = SyntheticReports(200, 11);
  // First batch, then a second that names identifiers of the first, then a
  // repeat of the first.
  std::vector<v1::Report> first(reports.begin(), reports.begin() + 100);
  std::vector<v1::Report> second(reports.begin() + 100, reports.end());
  LoadBoth({first, second, first}, dir.File("online"), dir.File("offline"));
  ExpectSameStores(dir);
  auto store = OpenStore(dir.File("offline"));
  ASSERT_NE(store, nullptr);
  // `second` re-uses five report ids of `first` with other fields; the repeat
  // of `first` takes those fields back (the latest upload wins), so it is a
  // third change on both paths.
  EXPECT_EQ(store->blocklist().list_version(), 3u);
}

// On a store where a report was withdrawn and an entity delisted: the
// withdrawn report cannot be uploaded again, and a new report re-activates
// the delisted entity, alike on both paths.
TEST(BulkLoadTest, WithdrawnReportsAndDelistedEntitiesMatchOnline) {
  TempDir dir;
  const auto reports = SyntheticReports(60, 13);
  const std::vector<v1::Report> first(reports.begin(), reports.begin() + 30);
  v1::Report again = first[0];
  again.set_note("sent again");
  v1::Report renamed = first[1];
  renamed.set_report_id("NEW-1");
  std::vector<v1::Report> second = {again, renamed};
  second.insert(second.end(), reports.begin() + 30, reports.end());
  const std::string delisted = EntityKey(first[1].identifiers(0));
  auto setup = [&](Store& store) {
    ASSERT_TRUE(
        (store.blocklist().ApplyReports(first, "police/kontum", kNow)).ok());
    ASSERT_TRUE((store.blocklist().WithdrawReport(
                     first[0].agency(), first[0].report_id(), "mistaken",
                     "CV-1", "police/kontum", kNow))
                    .ok());
    ASSERT_TRUE((store.blocklist().Delist(first[1].identifiers(0), "paid back",
                                          "CV-2", "police/kontum", kNow))
                    .ok());
  };
  LoadBoth({second}, dir.File("online"), dir.File("offline"), setup);
  ExpectSameStores(dir);
  auto store = OpenStore(dir.File("offline"));
  ASSERT_NE(store, nullptr);
  ASSERT_OK_AND_ASSIGN(auto entity, store->blocklist().GetEntity(delisted));
  ASSERT_TRUE(entity.has_value());
  EXPECT_EQ(entity->status(), v1::ACTIVE);
}

// The refusal itself, and ForEachAdded stopping at its callback's error.
TEST(BulkLoadTest, RefusesWithdrawnReportsAndStopsAtCallbackError) {
  TempDir dir;
  auto store = OpenStore(dir.path());
  ASSERT_NE(store, nullptr);
  const auto reports = SyntheticReports(20, 17);
  ASSERT_TRUE(
      (store->blocklist().ApplyReports({reports[0]}, "police/x", kNow)).ok());
  ASSERT_TRUE((store->blocklist().WithdrawReport(
                   reports[0].agency(), reports[0].report_id(), "wrong", "CV-9",
                   "police/x", kNow))
                  .ok());
  ASSERT_OK_AND_ASSIGN(
      auto load,
      BulkLoad::Start(&store->blocklist(), "police/x", kNow, dir.File("bulk")));
  ASSERT_OK_AND_ASSIGN(auto results, load->Add(reports));
  EXPECT_EQ(results[0].status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(results[0].status.message(), ::testing::HasSubstr("withdrawn"));
  ASSERT_OK_AND_ASSIGN(BulkLoadResult committed, load->Commit());
  ASSERT_GT(committed.identifiers_added, 1);
  int calls = 0;
  absl::Status stopped =
      load->ForEachAdded(1, [&](absl::Span<const v1::Identifier* const>) {
        ++calls;
        return absl::DataLossError("no more");
      });
  EXPECT_EQ(stopped, absl::DataLossError("no more"));
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(load->Commit().status().code(),
            absl::StatusCode::kFailedPrecondition);
}

// Entities named in several Add() calls, and reports re-uploaded in a later
// call, must come out as from one online batch of all the reports, on a new
// store and on one whose stored reports and entities the load changes.
TEST(BulkLoadTest, ManyAddsInOneLoadMatchOneOnlineBatch) {
  for (bool on_stored : {false, true}) {
    SCOPED_TRACE(on_stored);
    TempDir dir;
    auto reports = SyntheticReports(400, 5);
    // Exact repeats, chunks after their first upload: unchanged.
    for (int i = 10; i < 20; ++i) reports.push_back(reports[i]);
    // Report ids and identifiers that the 400 share.
    const auto stored = SyntheticReports(100, 23);
    auto setup = [&](Store& store) {
      ASSERT_TRUE(
          store.blocklist().ApplyReports(stored, "police/hn", kNow).ok());
    };
    const int unchanged =
        LoadBoth({reports}, dir.File("online"), dir.File("offline"),
                 on_stored ? setup : std::function<void(Store&)>(), 37);
    EXPECT_GE(unchanged, 10);  // repeats across chunks were seen as such
    ExpectSameStores(dir);
  }
}

// A load that changes nothing stores nothing, and lists nothing.
TEST(BulkLoadTest, LoadOfUnchangedReportsKeepsTheListVersion) {
  TempDir dir;
  auto reports = SyntheticReports(50, 29);
  reports.resize(45);  // distinct report ids: the second load is a repeat
  EXPECT_EQ(static_cast<size_t>(LoadBoth({reports, reports}, dir.File("online"),
                                         dir.File("offline"))),
            reports.size());
  ExpectSameStores(dir);
  auto store = OpenStore(dir.File("offline"));
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->blocklist().list_version(), 1u);
}

// Several reports on one identifier: all of one key in one file (keys
// a,a,a), and a key on both sides of the median (a,b,b,b), which must still
// go to one file.
TEST(BulkLoadTest, OneIdentifierInManyReportsMatchesOnline) {
  for (bool with_other : {false, true}) {
    SCOPED_TRACE(with_other);
    TempDir dir;
    std::vector<v1::Report> reports = SyntheticReports(3, 31);
    for (size_t i = 0; i < reports.size(); ++i) {
      reports[i].set_report_id(core::StrCat("ONE-", i));
      reports[i].clear_identifiers();
      *reports[i].add_identifiers() = Phone(1);
    }
    if (with_other) *reports[0].add_identifiers() = Phone(0);
    LoadBoth({reports}, dir.File("online"), dir.File("offline"));
    ExpectSameStores(dir);
    ASSERT_OK_AND_ASSIGN(auto entity, OpenStore(dir.File("offline"))
                                          ->blocklist()
                                          .GetEntity(EntityKey(Phone(1))));
    ASSERT_TRUE(entity.has_value());
    EXPECT_EQ(entity->reports_size(), 3);
  }
}

TEST(BulkLoadTest, NothingIsStoredWithoutCommit) {
  TempDir dir;
  {
    auto store = OpenStore(dir.path());
    ASSERT_NE(store, nullptr);
    ASSERT_OK_AND_ASSIGN(auto load,
                         BulkLoad::Start(&store->blocklist(), "police/x", kNow,
                                         dir.File("bulk")));
    ASSERT_OK_AND_ASSIGN(auto results, load->Add(SyntheticReports(20, 3)));
    EXPECT_FALSE(results.empty());
  }
  auto store = OpenStore(dir.path());
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->blocklist().list_version(), 0u);
  ASSERT_OK_AND_ASSIGN(auto audit, store->blocklist().ReadAudit(1, 10));
  EXPECT_TRUE(audit.empty());
  ASSERT_OK_AND_ASSIGN(auto entity,
                       store->blocklist().GetEntity(EntityKey(Phone(1))));
  EXPECT_FALSE(entity.has_value());
}

TEST(BulkLoadTest, OnlineWritesAfterALoadContinueTheChain) {
  TempDir dir;
  auto reports = SyntheticReports(50, 5);
  {
    auto store = OpenStore(dir.path());
    ASSERT_NE(store, nullptr);
    ASSERT_OK_AND_ASSIGN(auto load,
                         BulkLoad::Start(&store->blocklist(), "police/x", kNow,
                                         dir.File("bulk")));
    ASSERT_OK_AND_ASSIGN(auto results, load->Add(reports));
    ASSERT_OK_AND_ASSIGN(BulkLoadResult committed, load->Commit());
    EXPECT_EQ(committed.list_version, 1u);
  }
  auto store = OpenStore(dir.path());
  ASSERT_NE(store, nullptr);
  v1::Report extra = reports.front();
  extra.set_report_id("EXTRA");
  ASSERT_OK_AND_ASSIGN(auto result,
                       store->blocklist().ApplyReport(extra, "police/x", kNow));
  EXPECT_EQ(result.list_version, 2u);
  ASSERT_OK_AND_ASSIGN(auto entity, store->blocklist().GetEntity(
                                        EntityKey(extra.identifiers(0))));
  ASSERT_TRUE(entity.has_value());
  EXPECT_GE(entity->reports_size(), 2);
  ASSERT_OK_AND_ASSIGN(AuditCheck check, store->blocklist().VerifyAudit());
  EXPECT_TRUE(check.ok) << check.problem;
}

}  // namespace
}  // namespace fraudgate::store
