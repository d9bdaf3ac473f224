// BlocklistStore::VerifyAudit and ReadAudit against a real RocksDB in a unique
// temp dir. A chain of 11 records (reports, a group commit, delists, a
// withdrawal) is built through the store; each tamper case then edits,
// deletes, inserts or reorders records (and sometimes `meta`) with raw
// RocksDB writes through store/db.h, and the chain must be reported broken at
// the right record, by a read-only and by a read-write open, and stay broken
// after the next mutation.
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "fraudgate/v1/fraudgate.pb.h"
#include "fraudgate/v1/storage.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "proto/proto_time.h"
#include "store/blocklist_store.h"
#include "store/db.h"
#include "store/keys.h"
#include "store/store.h"
#include "store/store_options.h"
#include "tests/testing/matchers.h"
#include "tests/testing/proto_printer.h"
#include "tests/testing/store_fixture.h"
#include "tests/testing/temp_dir.h"

namespace fraudgate::store {
namespace {

using ::fraudgate::testing::EqualsProto;
using ::fraudgate::testing::ExpectValidChain;
using ::fraudgate::testing::Id;
using ::fraudgate::testing::kAccount;
using ::fraudgate::testing::KeyOf;
using ::fraudgate::testing::kHandle;
using ::fraudgate::testing::kOtherPhone;
using ::fraudgate::testing::kPhone;
using ::fraudgate::testing::kWallet;
using ::fraudgate::testing::MakeReport;
using ::fraudgate::testing::RawDb;
using ::fraudgate::testing::Sha256;
using ::fraudgate::testing::T;
using ::fraudgate::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

// MakeReport without the victim count, amount lost and note.
v1::Report ChainReport(std::string agency, std::string report_id,
                       std::vector<v1::Identifier> ids,
                       absl::Time reported_at) {
  v1::Report r = MakeReport(std::move(agency), std::move(report_id),
                            std::move(ids), reported_at);
  r.clear_victim_count();
  r.clear_amount_lost();
  r.clear_note();
  return r;
}

// The chain BuildChain writes: 11 records in 9 committed batches, the last
// batch holding records 10 and 11.
constexpr uint64_t kRecords = 11;
constexpr uint64_t kListVersion = 9;

template <typename T>
void Ok(const absl::StatusOr<T>& s) {
  ASSERT_TRUE(s.ok()) << s.status();
}

// Records (sequence: list version, action):
//   1: 1 REPORT_ACCEPTED A/1       7: 6 REPORT_ACCEPTED A/1 (correction)
//   2: 2 REPORT_ACCEPTED A/2       8: 7 DELISTED other phone
//   3: 2 REPORT_ACCEPTED B/3       9: 8 REPORT_ACCEPTED D/5
//   4: 3 DELISTED account         10: 9 REPORT_ACCEPTED E/6
//   5: 4 REPORT_ACCEPTED C/4      11: 9 REPORT_ACCEPTED E/7
//   6: 5 REPORT_WITHDRAWN B/3
// with no-op mutations in between that must not add records.
void BuildChain(BlocklistStore& list) {
  const v1::Report a1 = ChainReport("A", "1", {kPhone, kAccount}, T(1));
  ASSERT_NO_FATAL_FAILURE(Ok(list.ApplyReport(a1, "police-hn", T(100))));
  ASSERT_NO_FATAL_FAILURE(
      Ok(list.ApplyReports({ChainReport("A", "2", {kWallet}, T(2)),
                            ChainReport("B", "3", {kPhone, kHandle}, T(3))},
                           "police-hcm", T(110))));
  ASSERT_NO_FATAL_FAILURE(Ok(list.ApplyReport(a1, "police-hn", T(115))));
  ASSERT_NO_FATAL_FAILURE(
      Ok(list.Delist(kAccount, "so nham", "CV-1", "police-hn", T(120))));
  ASSERT_NO_FATAL_FAILURE(
      Ok(list.Delist(kAccount, "lan nua", "CV-1b", "police-hn", T(125))));
  ASSERT_NO_FATAL_FAILURE(Ok(list.ApplyReport(
      ChainReport("C", "4", {kOtherPhone}, T(4)), "police-dn", T(130))));
  ASSERT_NO_FATAL_FAILURE(Ok(
      list.WithdrawReport("B", "3", "bao nham", "CV-2", "police-hcm", T(140))));
  ASSERT_NO_FATAL_FAILURE(Ok(
      list.WithdrawReport("B", "3", "lan nua", "CV-2b", "police-hcm", T(145))));
  ASSERT_NO_FATAL_FAILURE(Ok(
      list.ApplyReport(ChainReport("A", "1", {kPhone, kAccount, kWallet}, T(1)),
                       "police-hn", T(150))));
  ASSERT_NO_FATAL_FAILURE(
      Ok(list.Delist(kOtherPhone, "r", "CV-3", "police-dn", T(160))));
  ASSERT_NO_FATAL_FAILURE(Ok(list.ApplyReport(
      ChainReport("D", "5", {kHandle}, T(5)), "police-dn", T(170))));
  ASSERT_NO_FATAL_FAILURE(
      Ok(list.ApplyReports({ChainReport("E", "6", {kPhone}, T(6)),
                            ChainReport("E", "7", {kAccount}, T(7))},
                           "police-hp", T(180))));
  ASSERT_EQ(list.list_version(), kListVersion);
}

// A forged record that chains correctly onto `prev_bytes`.
v1::AuditRecord Forged(uint64_t sequence, uint64_t list_version,
                       const std::string& prev_bytes) {
  v1::AuditRecord record;
  record.set_sequence(sequence);
  *record.mutable_at() = ToProtoTime(T(999));
  record.set_actor("mallory");
  record.set_action("DELISTED");
  *record.add_identifiers() = kPhone;
  record.set_reason("forged");
  record.set_list_version(list_version);
  record.set_prev_sha256(Sha256(prev_bytes));
  return record;
}

// Moves records from..last up by one key, renumbered and re-chained onto
// `prev_bytes` (the bytes that now precede `from`), as an attacker who knows
// the format would; `meta` is left alone.
void ShiftAndRechain(RawDb& db, uint64_t from, uint64_t last,
                     std::string prev_bytes) {
  std::vector<v1::AuditRecord> moved;
  for (uint64_t s = from; s <= last; ++s) moved.push_back(db.Audit(s));
  for (size_t i = 0; i < moved.size(); ++i) {
    v1::AuditRecord& record = moved[i];
    record.set_sequence(from + i + 1);
    record.set_prev_sha256(Sha256(prev_bytes));
    prev_bytes = record.SerializeAsString();
    db.PutAudit(from + i + 1, record);
  }
}

std::string StoreProblem(const AuditCheck& check) {
  return check.ok
             ? "ok"
             : absl::StrCat("broken at ", check.broken_at, ": ", check.problem);
}

class AuditFixture : public ::testing::Test {
 protected:
  std::string Path() const { return dir_.File("db"); }

  absl::StatusOr<std::unique_ptr<Store>> OpenStore(bool read_only) {
    StoreOptions options;
    options.path = Path();
    options.read_only = read_only;
    return Store::Open(options);
  }

  TempDir dir_;
};

using BlocklistStoreAuditTest = AuditFixture;

TEST_F(BlocklistStoreAuditTest, EmptyChainVerifies) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> store, OpenStore(false));
  ASSERT_OK_AND_ASSIGN(AuditCheck check, store->blocklist().VerifyAudit());
  EXPECT_TRUE(check.ok) << StoreProblem(check);
  EXPECT_EQ(check.records, 0u);
  EXPECT_EQ(check.last_sequence, 0u);
  EXPECT_EQ(check.list_version, 0u);
}

TEST_F(BlocklistStoreAuditTest, UntouchedChainVerifies) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> store, OpenStore(false));
  ASSERT_NO_FATAL_FAILURE(BuildChain(store->blocklist()));
  auto expect_ok = [](BlocklistStore& list) {
    ASSERT_OK_AND_ASSIGN(AuditCheck check, list.VerifyAudit());
    EXPECT_TRUE(check.ok) << StoreProblem(check);
    EXPECT_EQ(check.records, kRecords);
    EXPECT_EQ(check.last_sequence, kRecords);
    EXPECT_EQ(check.list_version, kListVersion);
    EXPECT_EQ(check.broken_at, 0u);
    EXPECT_THAT(check.problem, IsEmpty());
  };
  ASSERT_NO_FATAL_FAILURE(expect_ok(store->blocklist()));

  ASSERT_OK_AND_ASSIGN(std::vector<v1::AuditRecord> audit,
                       store->blocklist().ReadAudit(1, 100));
  ASSERT_THAT(audit, SizeIs(kRecords));
  ExpectValidChain(audit);
  const std::vector<uint64_t> versions = {1, 2, 2, 3, 4, 5, 6, 7, 8, 9, 9};
  const std::vector<std::string> actions = {
      "REPORT_ACCEPTED", "REPORT_ACCEPTED",  "REPORT_ACCEPTED", "DELISTED",
      "REPORT_ACCEPTED", "REPORT_WITHDRAWN", "REPORT_ACCEPTED", "DELISTED",
      "REPORT_ACCEPTED", "REPORT_ACCEPTED",  "REPORT_ACCEPTED"};
  for (size_t i = 0; i < audit.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(audit[i].list_version(), versions[i]);
    EXPECT_EQ(audit[i].action(), actions[i]);
  }

  store.reset();
  for (bool read_only : {true, false}) {
    SCOPED_TRACE(read_only ? "read-only" : "read-write");
    ASSERT_OK_AND_ASSIGN(store, OpenStore(read_only));
    ASSERT_NO_FATAL_FAILURE(expect_ok(store->blocklist()));
    store.reset();
  }
}

TEST_F(BlocklistStoreAuditTest, ReadAuditPages) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> store, OpenStore(false));
  ASSERT_NO_FATAL_FAILURE(BuildChain(store->blocklist()));
  BlocklistStore& list = store->blocklist();
  ASSERT_OK_AND_ASSIGN(std::vector<v1::AuditRecord> all,
                       list.ReadAudit(1, 1000));
  ASSERT_THAT(all, SizeIs(kRecords));

  // Pages of 4 from 1: 4 + 4 + 3, then nothing.
  std::vector<v1::AuditRecord> paged;
  std::vector<size_t> sizes;
  uint64_t from = 1;
  for (int page = 0; page < 10; ++page) {
    ASSERT_OK_AND_ASSIGN(std::vector<v1::AuditRecord> records,
                         list.ReadAudit(from, 4));
    sizes.push_back(records.size());
    if (records.empty()) break;
    EXPECT_EQ(records.front().sequence(), from);
    from = records.back().sequence() + 1;
    for (auto& r : records) paged.push_back(std::move(r));
  }
  EXPECT_THAT(sizes, ::testing::ElementsAre(4, 4, 3, 0));
  ASSERT_THAT(paged, SizeIs(kRecords));
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_THAT(paged[i], EqualsProto(all[i]));
  }

  ASSERT_OK_AND_ASSIGN(std::vector<v1::AuditRecord> middle,
                       list.ReadAudit(6, 1));
  ASSERT_THAT(middle, SizeIs(1));
  EXPECT_THAT(middle[0], EqualsProto(all[5]));
  EXPECT_EQ(middle[0].action(), "REPORT_WITHDRAWN");
  ASSERT_OK_AND_ASSIGN(std::vector<v1::AuditRecord> from_zero,
                       list.ReadAudit(0, 2));
  ASSERT_THAT(from_zero, SizeIs(2));
  EXPECT_EQ(from_zero[0].sequence(), 1u);
  ASSERT_OK_AND_ASSIGN(std::vector<v1::AuditRecord> none, list.ReadAudit(1, 0));
  EXPECT_THAT(none, IsEmpty());
  ASSERT_OK_AND_ASSIGN(std::vector<v1::AuditRecord> past,
                       list.ReadAudit(kRecords + 1, 10));
  EXPECT_THAT(past, IsEmpty());
  ASSERT_OK_AND_ASSIGN(std::vector<v1::AuditRecord> last,
                       list.ReadAudit(kRecords, 10));
  ASSERT_THAT(last, SizeIs(1));
  EXPECT_THAT(last[0], EqualsProto(all.back()));

  // The same pages through a read-only open.
  store.reset();
  ASSERT_OK_AND_ASSIGN(store, OpenStore(true));
  ASSERT_OK_AND_ASSIGN(std::vector<v1::AuditRecord> ro,
                       store->blocklist().ReadAudit(5, 3));
  ASSERT_THAT(ro, SizeIs(3));
  for (size_t i = 0; i < ro.size(); ++i) {
    EXPECT_THAT(ro[i], EqualsProto(all[4 + i]));
  }
}

TEST_F(BlocklistStoreAuditTest, ReadOnlyOpenBesideAWriter) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> writer, OpenStore(false));
  ASSERT_NO_FATAL_FAILURE(BuildChain(writer->blocklist()));

  // The writer holds the lock; a read-only open takes none.
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> reader, OpenStore(true));
  EXPECT_EQ(reader->blocklist().list_version(), kListVersion);
  ASSERT_OK_AND_ASSIGN(AuditCheck check, reader->blocklist().VerifyAudit());
  EXPECT_TRUE(check.ok) << StoreProblem(check);
  EXPECT_EQ(check.records, kRecords);
  EXPECT_EQ(check.list_version, kListVersion);
  ASSERT_OK_AND_ASSIGN(std::vector<v1::AuditRecord> seen,
                       reader->blocklist().ReadAudit(1, 100));
  ASSERT_OK_AND_ASSIGN(std::vector<v1::AuditRecord> written,
                       writer->blocklist().ReadAudit(1, 100));
  ASSERT_THAT(seen, SizeIs(kRecords));
  for (size_t i = 0; i < seen.size(); ++i) {
    EXPECT_THAT(seen[i], EqualsProto(written[i]));
  }
  ASSERT_OK_AND_ASSIGN(std::optional<v1::Entity> phone,
                       reader->blocklist().GetEntity(KeyOf(kPhone)));
  EXPECT_TRUE(phone.has_value());

  // It refuses writes.
  EXPECT_FALSE(
      reader->blocklist()
          .ApplyReport(ChainReport("R", "1", {kPhone}, T(9)), "ro", T(900))
          .ok());

  // The writer goes on; the reader keeps the consistent view it opened.
  ASSERT_NO_FATAL_FAILURE(Ok(writer->blocklist().ApplyReport(
      ChainReport("F", "8", {kWallet}, T(8)), "police-hn", T(200))));
  EXPECT_EQ(writer->blocklist().list_version(), kListVersion + 1);
  ASSERT_OK_AND_ASSIGN(check, writer->blocklist().VerifyAudit());
  EXPECT_TRUE(check.ok) << StoreProblem(check);
  EXPECT_EQ(check.records, kRecords + 1);
  ASSERT_OK_AND_ASSIGN(check, reader->blocklist().VerifyAudit());
  EXPECT_TRUE(check.ok) << StoreProblem(check);

  // A new read-only open sees the new record.
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> second, OpenStore(true));
  ASSERT_OK_AND_ASSIGN(check, second->blocklist().VerifyAudit());
  EXPECT_TRUE(check.ok) << StoreProblem(check);
  EXPECT_EQ(check.records, kRecords + 1);
  EXPECT_EQ(check.list_version, kListVersion + 1);
}

// A writer that was just opened flushes its recovered WAL and compacts the
// new L0 files in the background, deleting files its MANIFEST named a moment
// ago: a read-only open at that time must still succeed.
TEST_F(BlocklistStoreAuditTest, ReadOnlyOpenWhileTheWriterCompacts) {
  for (int round = 0; round < 12; ++round) {
    SCOPED_TRACE(round);
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> writer, OpenStore(false));
    ASSERT_NO_FATAL_FAILURE(Ok(writer->blocklist().ApplyReport(
        ChainReport("W", absl::StrCat(round), {kPhone}, T(round)), "police",
        T(100 + round))));
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> reader, OpenStore(true));
    ASSERT_OK_AND_ASSIGN(AuditCheck check, reader->blocklist().VerifyAudit());
    EXPECT_TRUE(check.ok) << StoreProblem(check);
    EXPECT_EQ(check.records, static_cast<uint64_t>(round + 1));
  }
}

// VerifyAudit on a live store while mutations commit: every check sees one
// consistent state (chain, head and list version from one snapshot).
TEST_F(BlocklistStoreAuditTest, VerifyDuringWritesIsConsistent) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> store, OpenStore(false));
  BlocklistStore& list = store->blocklist();
  constexpr int kWrites = 40;
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int i = 0; i < kWrites; ++i) {
      const v1::Identifier id =
          Id(v1::PHONE, "", absl::StrCat("+8490", 1000000 + i));
      auto r =
          list.ApplyReports({ChainReport("W", absl::StrCat(i), {id}, T(i)),
                             ChainReport("X", absl::StrCat(i), {id}, T(i))},
                            "police", T(1000 + i));
      EXPECT_TRUE(r.ok()) << r.status();
    }
    done = true;
  });
  int checks = 0;
  while (!done.load() || checks == 0) {
    auto check = list.VerifyAudit();
    ASSERT_TRUE(check.ok()) << check.status();
    EXPECT_TRUE(check->ok) << StoreProblem(*check);
    EXPECT_EQ(check->records, 2 * check->list_version);
    ++checks;
  }
  writer.join();
  ASSERT_OK_AND_ASSIGN(AuditCheck check, list.VerifyAudit());
  EXPECT_TRUE(check.ok) << StoreProblem(check);
  EXPECT_EQ(check.records, 2u * kWrites);
  EXPECT_EQ(check.list_version, static_cast<uint64_t>(kWrites));
}

// ------------------------------------------------------------------- tampering

struct TamperCase {
  std::string name;
  std::function<void(RawDb&)> tamper;
  uint64_t broken_at;
  std::string problem;  // a substring of AuditCheck::problem
  // Still reported after the next mutation through a read-write open.
  bool survives_next_mutation = true;
};

void PrintTo(const TamperCase& c, std::ostream* os) { *os << c.name; }

v1::AuditRecord Edited(RawDb& db, uint64_t sequence,
                       const std::function<void(v1::AuditRecord&)>& edit) {
  v1::AuditRecord record = db.Audit(sequence);
  edit(record);
  return record;
}

std::function<void(RawDb&)> Edit(uint64_t sequence,
                                 std::function<void(v1::AuditRecord&)> edit) {
  return [sequence, edit](RawDb& db) {
    db.PutAudit(sequence, Edited(db, sequence, edit));
  };
}

std::function<void(RawDb&)> Swap(uint64_t a, uint64_t b) {
  return [a, b](RawDb& db) {
    const std::string bytes_a = db.AuditBytes(a);
    const std::string bytes_b = db.AuditBytes(b);
    db.Put(Cf::kAudit, AuditKey(a), bytes_b);
    db.Put(Cf::kAudit, AuditKey(b), bytes_a);
  };
}

const char kPrevHash[] = "hash of the previous record does not match";

std::vector<TamperCase> TamperCases() {
  constexpr uint64_t kLast = kRecords;
  return {
      // (a) An edited field breaks the next record's prev hash.
      {"EditActorOfMiddleRecord",
       Edit(5, [](v1::AuditRecord& r) { r.set_actor("mallory"); }), 6,
       kPrevHash},
      {"EditReasonOfDelistRecord",
       Edit(4, [](v1::AuditRecord& r) { r.set_reason("khong co gi"); }), 5,
       kPrevHash},
      {"EditReferenceOfWithdrawRecord",
       Edit(6, [](v1::AuditRecord& r) { r.set_reference("CV-0"); }), 7,
       kPrevHash},
      {"EditIdentifierOfFirstRecord",
       Edit(1,
            [](v1::AuditRecord& r) {
              r.mutable_identifiers(0)->set_value("+84329000000");
            }),
       2, kPrevHash},
      {"EditTimeOfMiddleRecord",
       Edit(7, [](v1::AuditRecord& r) { *r.mutable_at() = ToProtoTime(T(1)); }),
       8, kPrevHash},
      {"EditListVersionOfMiddleRecord",
       Edit(5, [](v1::AuditRecord& r) { r.set_list_version(3); }), 6,
       kPrevHash},
      {"EditActorOfFirstOfLastBatch",
       Edit(kLast - 1, [](v1::AuditRecord& r) { r.set_actor("mallory"); }),
       kLast, kPrevHash},
      // ... or the record itself when its sequence or bytes are wrong.
      {"EditSequenceField",
       Edit(5, [](v1::AuditRecord& r) { r.set_sequence(6); }), 5,
       "says it is number 6"},
      {"UnparseableMiddleRecord",
       [](RawDb& db) { db.Put(Cf::kAudit, AuditKey(5), "\x08\x80"); }, 5,
       "does not parse"},
      {"UnparseableLastRecord",
       [](RawDb& db) { db.Put(Cf::kAudit, AuditKey(kLast), "\x0f\x01"); },
       kLast, "does not parse"},
      {"EmptyRecord", [](RawDb& db) { db.Put(Cf::kAudit, AuditKey(3), ""); }, 3,
       "says it is number 0"},
      // (b) The last record is followed by no record: only the head kept in
      // meta commits to its hash.
      {"EditActorOfLastRecord",
       Edit(kLast, [](v1::AuditRecord& r) { r.set_actor("mallory"); }), kLast,
       "meta"},
      {"EditIdentifiersOfLastRecord",
       Edit(kLast,
            [](v1::AuditRecord& r) {
              r.clear_identifiers();
              *r.add_identifiers() = kOtherPhone;
            }),
       kLast, "meta"},
      {"EditListVersionOfLastRecord",
       Edit(kLast, [](v1::AuditRecord& r) { r.set_list_version(10); }), kLast,
       "meta"},
      {"EditLastRecordAndMetaListVersion",
       [](RawDb& db) {
         db.PutAudit(kLast, Edited(db, kLast, [](v1::AuditRecord& r) {
                       r.set_list_version(10);
                     }));
         db.SetListVersion(10);
       },
       kLast, "meta"},
      {"ReplaceLastRecordWithChainedForgery",
       [](RawDb& db) {
         db.PutAudit(kLast,
                     Forged(kLast, kListVersion, db.AuditBytes(kLast - 1)));
       },
       kLast, "meta"},
      {"DeleteChainHeadFromMeta",
       [](RawDb& db) { db.Delete(Cf::kMeta, std::string(kAuditHeadKey)); },
       kLast, "no chain head",
       // A chain without a head is continued from its last record (see
       // BlocklistStore::Open), which records a head again.
       /*survives_next_mutation=*/false},
      {"MalformedChainHead",
       [](RawDb& db) { db.Put(Cf::kMeta, std::string(kAuditHeadKey), "x"); },
       kLast + 1, "malformed", /*survives_next_mutation=*/false},
      // (c) A deleted record leaves a gap.
      {"DeleteFirstRecord", [](RawDb& db) { db.DeleteAudit(1); }, 1,
       "record 1 is missing"},
      {"DeleteMiddleRecord", [](RawDb& db) { db.DeleteAudit(5); }, 5,
       "record 5 is missing"},
      {"DeleteTwoMiddleRecords",
       [](RawDb& db) {
         db.DeleteAudit(5);
         db.DeleteAudit(6);
       },
       5, "record 5 is missing"},
      // (d) Records deleted at the end.
      {"DeleteLastRecord", [](RawDb& db) { db.DeleteAudit(kLast); }, kLast,
       "removed"},
      {"DeleteLastTwoRecords",
       [](RawDb& db) {
         db.DeleteAudit(kLast);
         db.DeleteAudit(kLast - 1);
       },
       kLast - 1, "removed"},
      {"DeleteLastBatchAndRewindMetaListVersion",
       [](RawDb& db) {
         db.DeleteAudit(kLast);
         db.DeleteAudit(kLast - 1);
         db.SetListVersion(kListVersion - 1);
       },
       kLast - 1, "removed"},
      {"DeleteEveryRecord",
       [](RawDb& db) {
         for (uint64_t s = 1; s <= kLast; ++s) db.DeleteAudit(s);
       },
       1, "removed"},
      // (e) Reordered records.
      {"SwapMiddleRecords", Swap(4, 5), 4, "says it is number 5"},
      {"SwapFarApartRecords", Swap(2, 9), 2, "says it is number 9"},
      {"SwapLastTwoRecords", Swap(kLast - 1, kLast), kLast - 1,
       "says it is number 11"},
      // (f) Inserted records.
      {"InsertRecordUnderAnOddKey",
       [](RawDb& db) {
         db.Put(Cf::kAudit, AuditKey(5) + std::string(1, '\0'),
                db.AuditBytes(5));
       },
       6, "8-byte"},
      {"InsertAndRechainTheRest",
       [](RawDb& db) {
         const v1::AuditRecord forged = Forged(6, 5, db.AuditBytes(5));
         ShiftAndRechain(db, 6, kLast, forged.SerializeAsString());
         db.PutAudit(6, forged);
       },
       kLast + 1, "added"},
      {"AppendRecordUnderAShortKey",
       [](RawDb& db) {
         db.Put(Cf::kAudit, std::string(1, '\xff'), db.AuditBytes(kLast));
       },
       kLast + 1, "8-byte"},
      {"AppendChainedRecord",
       [](RawDb& db) {
         db.PutAudit(kLast + 1,
                     Forged(kLast + 1, kListVersion, db.AuditBytes(kLast)));
       },
       kLast + 1, "added"},
      {"AppendChainedRecordAndBumpMetaListVersion",
       [](RawDb& db) {
         db.PutAudit(kLast + 1,
                     Forged(kLast + 1, kListVersion + 1, db.AuditBytes(kLast)));
         db.SetListVersion(kListVersion + 1);
       },
       kLast + 1, "added"},
      // The list version in meta. The next commit continues from the stored
      // version, so after it the chain is consistent again (versions may
      // skip or repeat across batches as far as VerifyAudit can tell).
      {"MetaListVersionRaised",
       [](RawDb& db) { db.SetListVersion(kListVersion + 1); }, kLast + 1,
       "list version", /*survives_next_mutation=*/false},
      {"MetaListVersionLowered",
       [](RawDb& db) { db.SetListVersion(kListVersion - 1); }, kLast + 1,
       "list version", /*survives_next_mutation=*/false},
  };
}

// Each case tampers with its own copy of one pristine database built by
// BuildChain (building it per case would cost most of the test's time).
class BlocklistStoreTamperTest
    : public AuditFixture,
      public ::testing::WithParamInterface<TamperCase> {
 protected:
  static void SetUpTestSuite() {
    pristine_ = new TempDir();
    StoreOptions options;
    options.path = pristine_->File("db");
    auto store = Store::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    BuildChain((*store)->blocklist());
  }
  static void TearDownTestSuite() {
    delete pristine_;
    pristine_ = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(pristine_, nullptr);
    std::error_code error;
    std::filesystem::copy(pristine_->File("db"), Path(),
                          std::filesystem::copy_options::recursive, error);
    ASSERT_FALSE(error) << error.message();
    RawDb db(Path());
    ASSERT_TRUE(db.ok());
    ASSERT_NO_FATAL_FAILURE(GetParam().tamper(db));
  }

  static TempDir* pristine_;
};

TempDir* BlocklistStoreTamperTest::pristine_ = nullptr;

TEST_P(BlocklistStoreTamperTest, IsDetected) {
  const TamperCase& c = GetParam();
  for (bool read_only : {true, false}) {
    SCOPED_TRACE(read_only ? "read-only" : "read-write");
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> store, OpenStore(read_only));
    ASSERT_OK_AND_ASSIGN(AuditCheck check, store->blocklist().VerifyAudit());
    EXPECT_FALSE(check.ok) << "not detected";
    EXPECT_EQ(check.broken_at, c.broken_at) << check.problem;
    EXPECT_THAT(check.problem, HasSubstr(c.problem));
  }
}

// The next mutation chains onto the head the store committed to, not onto
// whatever is now last in the column family: the tamper stays visible.
class BlocklistStoreTamperThenWriteTest : public BlocklistStoreTamperTest {};

TEST_P(BlocklistStoreTamperThenWriteTest, StaysDetected) {
  auto expect_broken = [](BlocklistStore& list) {
    ASSERT_OK_AND_ASSIGN(AuditCheck check, list.VerifyAudit());
    EXPECT_FALSE(check.ok) << "laundered by the next mutation";
    EXPECT_LE(check.broken_at, kRecords + 2) << check.problem;
  };
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> store, OpenStore(false));
    ASSERT_NO_FATAL_FAILURE(Ok(store->blocklist().ApplyReport(
        ChainReport("G", "9", {kWallet, kOtherPhone}, T(9)), "police-hn",
        T(500))));
    ASSERT_NO_FATAL_FAILURE(expect_broken(store->blocklist()));
  }
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> store, OpenStore(true));
  ASSERT_NO_FATAL_FAILURE(expect_broken(store->blocklist()));
}

std::string CaseName(const ::testing::TestParamInfo<TamperCase>& info) {
  return info.param.name;
}

// The cases that the next mutation does not hide.
std::vector<TamperCase> SurvivingTamperCases() {
  std::vector<TamperCase> cases;
  for (TamperCase& c : TamperCases()) {
    if (c.survives_next_mutation) cases.push_back(std::move(c));
  }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Cases, BlocklistStoreTamperTest,
                         ::testing::ValuesIn(TamperCases()), CaseName);
INSTANTIATE_TEST_SUITE_P(Cases, BlocklistStoreTamperThenWriteTest,
                         ::testing::ValuesIn(SurvivingTamperCases()), CaseName);

}  // namespace
}  // namespace fraudgate::store
