// BlocklistStore::ApplyReports (group commit) and WithdrawReport against a
// real RocksDB in a unique temp dir: one list version bump and one audit
// record per stored report, later reports of a batch seeing earlier ones,
// unchanged and refused reports writing nothing, a write fault failing the
// whole batch, and withdrawals delisting what has no live report left. The
// internal `reports` column family is read raw through store/db.h.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
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
#include "tests/testing/fault_env.h"
#include "tests/testing/matchers.h"
#include "tests/testing/proto_printer.h"
#include "tests/testing/store_fixture.h"

namespace fraudgate::store {
namespace {

using ::fraudgate::testing::BlocklistStoreFixture;
using ::fraudgate::testing::EqualsProto;
using ::fraudgate::testing::ExpectValidChain;
using ::fraudgate::testing::kAccount;
using ::fraudgate::testing::KeyOf;
using ::fraudgate::testing::KeysOf;
using ::fraudgate::testing::kHandle;
using ::fraudgate::testing::kOtherPhone;
using ::fraudgate::testing::kPhone;
using ::fraudgate::testing::kWallet;
using ::fraudgate::testing::MakeReport;
using ::fraudgate::testing::RawDb;
using ::fraudgate::testing::T;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Optional;
using ::testing::SizeIs;
using ::testing::UnorderedElementsAre;

std::vector<std::string> KeysOf(const std::vector<v1::Identifier>& ids) {
  std::vector<std::string> keys;
  for (const auto& id : ids) keys.push_back(KeyOf(id));
  return keys;
}

class BlocklistStoreBatchTest : public BlocklistStoreFixture {
 protected:
  // The `reports` record of (agency, report_id), read raw: closes the store,
  // reads the column family through store/db.h and opens the store again.
  // (A read-only open beside the store is not used here: it can race with
  // the store's compactions, see audit_chain_test.)
  std::optional<v1::StoredReport> RawReport(const std::string& agency,
                                            const std::string& report_id) {
    store_.reset();
    std::optional<v1::StoredReport> found;
    {
      RawDb db(dir_.File("db"));
      if (db.ok()) {
        std::optional<std::string> bytes =
            db.Find(Cf::kReports, ReportKey(agency, report_id));
        if (bytes.has_value()) {
          v1::StoredReport stored;
          EXPECT_TRUE(stored.ParseFromString(*bytes));
          found = std::move(stored);
        }
      }
    }
    Reopen();
    EXPECT_NE(store_, nullptr);
    return found;
  }

  absl::StatusOr<std::vector<ApplyReportResult>> Apply(
      const std::vector<v1::Report>& reports, const std::string& actor,
      absl::Time now) {
    return list().ApplyReports(reports, actor, now);
  }
};

using BlocklistStoreApplyReportsTest = BlocklistStoreBatchTest;
using BlocklistStoreWithdrawTest = BlocklistStoreBatchTest;

// ---------------------------------------------------------------- ApplyReports

TEST_F(BlocklistStoreApplyReportsTest, BatchIsOneVersionBump) {
  ASSERT_OK_AND_ASSIGN(std::vector<ApplyReportResult> results,
                       Apply({MakeReport("A", "1", {kPhone}, T(1)),
                              MakeReport("B", "2", {kAccount, kWallet}, T(2)),
                              MakeReport("C", "3", {kHandle}, T(3))},
                             "police-hn", T(100)));
  ASSERT_THAT(results, SizeIs(3));
  for (const ApplyReportResult& r : results) {
    EXPECT_TRUE(r.status.ok()) << r.status;
    EXPECT_FALSE(r.unchanged);
    EXPECT_EQ(r.list_version, 1u);
  }
  EXPECT_THAT(results[0].identifiers_added, SizeIs(1));
  EXPECT_THAT(results[1].identifiers_added, SizeIs(2));
  EXPECT_THAT(results[2].identifiers_added, SizeIs(1));
  EXPECT_EQ(list().list_version(), 1u);
  for (const v1::Identifier& id : {kPhone, kAccount, kWallet, kHandle}) {
    SCOPED_TRACE(KeyOf(id));
    std::optional<v1::Entity> entity = Entity(id);
    ASSERT_TRUE(entity.has_value());
    EXPECT_EQ(entity->status(), v1::ACTIVE);
  }

  // One audit record per stored report: consecutive sequences, all at the
  // batch's list version, in batch order.
  std::vector<v1::AuditRecord> audit = Audit();
  ASSERT_THAT(audit, SizeIs(3));
  ExpectValidChain(audit);
  for (size_t i = 0; i < audit.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(audit[i].sequence(), i + 1);
    EXPECT_EQ(audit[i].list_version(), 1u);
    EXPECT_EQ(audit[i].action(), "REPORT_ACCEPTED");
    EXPECT_EQ(audit[i].actor(), "police-hn");
    EXPECT_EQ(FromProtoTime(audit[i].at()), T(100));
  }
  EXPECT_EQ(audit[0].report_id(), "1");
  EXPECT_EQ(audit[1].report_id(), "2");
  EXPECT_EQ(audit[2].report_id(), "3");
  EXPECT_THAT(KeysOf(audit[1].identifiers()),
              ElementsAre(KeyOf(kAccount), KeyOf(kWallet)));

  // The next batch is the next version; the chain continues.
  ASSERT_OK_AND_ASSIGN(results,
                       Apply({MakeReport("D", "4", {kOtherPhone}, T(4)),
                              MakeReport("D", "5", {kPhone}, T(5))},
                             "police-hcm", T(200)));
  ASSERT_THAT(results, SizeIs(2));
  EXPECT_EQ(results[0].list_version, 2u);
  EXPECT_EQ(results[1].list_version, 2u);
  EXPECT_THAT(results[0].identifiers_added, SizeIs(1));
  EXPECT_THAT(results[1].identifiers_added, SizeIs(0));  // the phone was listed
  audit = Audit();
  ASSERT_THAT(audit, SizeIs(5));
  ExpectValidChain(audit);
  EXPECT_EQ(audit[3].list_version(), 2u);
  EXPECT_EQ(audit[4].list_version(), 2u);

  // All of it survives a close and reopen.
  ASSERT_NO_FATAL_FAILURE(Reopen());
  EXPECT_EQ(list().list_version(), 2u);
  const std::vector<v1::AuditRecord> reopened = Audit();
  ASSERT_THAT(reopened, SizeIs(5));
  for (size_t i = 0; i < audit.size(); ++i) {
    EXPECT_THAT(reopened[i], EqualsProto(audit[i]));
  }
  EXPECT_THAT(Entity(kPhone)->reports(), SizeIs(2));
  ASSERT_OK_AND_ASSIGN(AuditCheck check, list().VerifyAudit());
  EXPECT_TRUE(check.ok) << check.broken_at << ": " << check.problem;
  EXPECT_EQ(check.records, 5u);
}

TEST_F(BlocklistStoreApplyReportsTest, EmptyBatchWritesNothing) {
  ASSERT_OK_AND_ASSIGN(std::vector<ApplyReportResult> results,
                       Apply({}, "police-hn", T(100)));
  EXPECT_THAT(results, IsEmpty());
  EXPECT_EQ(list().list_version(), 0u);
  EXPECT_THAT(Audit(), IsEmpty());
}

TEST_F(BlocklistStoreApplyReportsTest, LaterReportSeesAnEarlierOne) {
  // Both reports name the phone: the second finds the first's entity.
  ASSERT_OK_AND_ASSIGN(
      std::vector<ApplyReportResult> results,
      Apply({MakeReport("C03-HN", "HN-1", {kPhone, kAccount}, T(10)),
             MakeReport("PC02-HCM", "HCM-7", {kPhone, kWallet}, T(20))},
            "police", T(100)));
  ASSERT_THAT(results, SizeIs(2));
  EXPECT_THAT(results[0].identifiers_added, SizeIs(2));
  EXPECT_THAT(results[1].identifiers_added,
              SizeIs(1));  // the phone counted once
  EXPECT_EQ(list().list_version(), 1u);

  auto check_phone = [&] {
    std::optional<v1::Entity> phone = Entity(kPhone);
    ASSERT_TRUE(phone.has_value());
    EXPECT_EQ(phone->status(), v1::ACTIVE);
    ASSERT_THAT(phone->reports(), SizeIs(2));
    EXPECT_EQ(phone->reports(0).report_id(), "HN-1");
    EXPECT_EQ(phone->reports(1).report_id(), "HCM-7");
    ASSERT_THAT(phone->history(), SizeIs(2));
    EXPECT_EQ(phone->history(0).action(), "REPORTED");
    EXPECT_EQ(phone->history(1).action(), "REPORTED");
    EXPECT_EQ(FromProtoTime(phone->first_reported_at()), T(10));
    EXPECT_EQ(FromProtoTime(phone->last_reported_at()), T(20));
    EXPECT_THAT(KeysOf(phone->linked()),
                ElementsAre(KeyOf(kAccount), KeyOf(kWallet)));
    EXPECT_THAT(Entity(kAccount)->reports(), SizeIs(1));
    EXPECT_THAT(Entity(kWallet)->reports(), SizeIs(1));
  };
  ASSERT_NO_FATAL_FAILURE(check_phone());
  EXPECT_THAT(Audit(), SizeIs(2));

  ASSERT_NO_FATAL_FAILURE(Reopen());
  ASSERT_NO_FATAL_FAILURE(check_phone());
  EXPECT_EQ(list().list_version(), 1u);
}

TEST_F(BlocklistStoreApplyReportsTest, SameReportTwiceInABatchIsUnchanged) {
  const v1::Report report = MakeReport("A", "1", {kPhone, kAccount}, T(1));
  ASSERT_OK_AND_ASSIGN(std::vector<ApplyReportResult> results,
                       Apply({report, report}, "police-hn", T(100)));
  ASSERT_THAT(results, SizeIs(2));
  EXPECT_FALSE(results[0].unchanged);
  EXPECT_THAT(results[0].identifiers_added, SizeIs(2));
  EXPECT_TRUE(results[1].status.ok()) << results[1].status;
  EXPECT_TRUE(results[1].unchanged);
  EXPECT_THAT(results[1].identifiers_added, SizeIs(0));
  EXPECT_EQ(results[1].list_version, 1u);
  EXPECT_EQ(list().list_version(), 1u);
  ASSERT_THAT(Audit(), SizeIs(1));

  std::optional<v1::Entity> phone = Entity(kPhone);
  ASSERT_TRUE(phone.has_value());
  EXPECT_THAT(phone->reports(), SizeIs(1));
  EXPECT_THAT(phone->history(), SizeIs(1));
  EXPECT_THAT(RawReport("A", "1"),
              Optional(::testing::Property(&v1::StoredReport::report,
                                           EqualsProto(report))));
}

TEST_F(BlocklistStoreApplyReportsTest, CorrectionInTheSameBatchMerges) {
  // The second upload of A/1 in the batch adds the wallet to the first.
  ASSERT_OK_AND_ASSIGN(std::vector<ApplyReportResult> results,
                       Apply({MakeReport("A", "1", {kPhone}, T(1)),
                              MakeReport("A", "1", {kPhone, kWallet}, T(1))},
                             "police-hn", T(100)));
  ASSERT_THAT(results, SizeIs(2));
  EXPECT_FALSE(results[0].unchanged);
  EXPECT_THAT(results[0].identifiers_added, SizeIs(1));
  EXPECT_FALSE(results[1].unchanged);
  EXPECT_THAT(results[1].identifiers_added, SizeIs(1));
  EXPECT_EQ(list().list_version(), 1u);

  std::optional<v1::Entity> phone = Entity(kPhone);
  ASSERT_TRUE(phone.has_value());
  ASSERT_THAT(phone->reports(), SizeIs(1));  // one ref, updated
  EXPECT_THAT(phone->history(), SizeIs(1));
  EXPECT_THAT(KeysOf(phone->linked()), ElementsAre(KeyOf(kWallet)));
  std::optional<v1::Entity> wallet = Entity(kWallet);
  ASSERT_TRUE(wallet.has_value());
  EXPECT_THAT(KeysOf(wallet->linked()), ElementsAre(KeyOf(kPhone)));

  const std::vector<v1::AuditRecord> audit = Audit();
  ASSERT_THAT(audit, SizeIs(2));
  EXPECT_THAT(KeysOf(audit[0].identifiers()), ElementsAre(KeyOf(kPhone)));
  EXPECT_THAT(KeysOf(audit[1].identifiers()),
              ElementsAre(KeyOf(kPhone), KeyOf(kWallet)));
  std::optional<v1::StoredReport> stored = RawReport("A", "1");
  ASSERT_TRUE(stored.has_value());
  EXPECT_THAT(KeysOf(stored->report().identifiers()),
              ElementsAre(KeyOf(kPhone), KeyOf(kWallet)));
}

TEST_F(BlocklistStoreApplyReportsTest, UnchangedReportsWriteNothing) {
  const v1::Report r1 = MakeReport("A", "1", {kPhone}, T(1));
  const v1::Report r2 = MakeReport("A", "2", {kAccount}, T(2));
  ASSERT_TRUE(list().ApplyReport(r1, "police-hn", T(100)).ok());
  const std::optional<v1::Entity> phone_before = Entity(kPhone);
  ASSERT_TRUE(phone_before.has_value());

  ASSERT_OK_AND_ASSIGN(std::vector<ApplyReportResult> results,
                       Apply({r1, r2, r1}, "police-hcm", T(200)));
  ASSERT_THAT(results, SizeIs(3));
  EXPECT_TRUE(results[0].unchanged);
  EXPECT_FALSE(results[1].unchanged);
  EXPECT_TRUE(results[2].unchanged);
  EXPECT_THAT(results[0].identifiers_added, SizeIs(0));
  EXPECT_THAT(results[1].identifiers_added, SizeIs(1));
  for (const ApplyReportResult& r : results) EXPECT_EQ(r.list_version, 2u);
  EXPECT_EQ(list().list_version(), 2u);

  // Only r2 has an audit record; r1's entity and stored report are as before
  // (still first uploaded by police-hn).
  const std::vector<v1::AuditRecord> audit = Audit();
  ASSERT_THAT(audit, SizeIs(2));
  EXPECT_EQ(audit[1].report_id(), "2");
  EXPECT_EQ(audit[1].list_version(), 2u);
  EXPECT_THAT(Entity(kPhone), Optional(EqualsProto(*phone_before)));
  std::optional<v1::StoredReport> stored = RawReport("A", "1");
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->uploaded_by(), "police-hn");
  EXPECT_EQ(FromProtoTime(stored->uploaded_at()), T(100));
}

TEST_F(BlocklistStoreApplyReportsTest, AllUnchangedBatchKeepsTheVersion) {
  const v1::Report r1 = MakeReport("A", "1", {kPhone}, T(1));
  const v1::Report r2 = MakeReport("A", "2", {kAccount}, T(2));
  ASSERT_TRUE(Apply({r1, r2}, "police-hn", T(100)).ok());
  ASSERT_EQ(list().list_version(), 1u);

  ASSERT_OK_AND_ASSIGN(std::vector<ApplyReportResult> results,
                       Apply({r2, r1}, "police-hn", T(200)));
  ASSERT_THAT(results, SizeIs(2));
  for (const ApplyReportResult& r : results) {
    EXPECT_TRUE(r.unchanged);
    EXPECT_THAT(r.identifiers_added, SizeIs(0));
    EXPECT_EQ(r.list_version, 1u);
  }
  EXPECT_EQ(list().list_version(), 1u);
  EXPECT_THAT(Audit(), SizeIs(2));
  ASSERT_NO_FATAL_FAILURE(Reopen());
  EXPECT_EQ(list().list_version(), 1u);
  EXPECT_THAT(Audit(), SizeIs(2));
}

TEST_F(BlocklistStoreApplyReportsTest, WriteFaultFailsTheWholeBatch) {
  ASSERT_NO_FATAL_FAILURE(UseFaultEnv());
  ASSERT_TRUE(list()
                  .ApplyReport(MakeReport("A", "1", {kPhone}, T(1)),
                               "police-hn", T(100))
                  .ok());
  const std::optional<v1::Entity> phone_before = Entity(kPhone);
  ASSERT_TRUE(phone_before.has_value());

  const std::vector<v1::Report> batch = {
      MakeReport("B", "2", {kAccount}, T(2)),
      MakeReport("B", "3", {kPhone, kWallet}, T(3)),
      MakeReport("A", "1", {kPhone, kHandle}, T(1))};  // a correction
  fault_env_.FailWrites(true);
  auto failed = Apply(batch, "police-hcm", T(200));
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kUnavailable)
      << failed.status();
  EXPECT_EQ(list().list_version(), 1u);
  EXPECT_EQ(Entity(kAccount), std::nullopt);
  EXPECT_EQ(Entity(kWallet), std::nullopt);
  EXPECT_EQ(Entity(kHandle), std::nullopt);
  EXPECT_THAT(Entity(kPhone), Optional(EqualsProto(*phone_before)));

  // RocksDB refuses writes after a WAL error: close while still armed.
  store_.reset();
  fault_env_.FailWrites(false);
  ASSERT_NO_FATAL_FAILURE(Reopen());

  EXPECT_EQ(list().list_version(), 1u);
  EXPECT_EQ(Entity(kAccount), std::nullopt);
  EXPECT_EQ(Entity(kWallet), std::nullopt);
  EXPECT_EQ(Entity(kHandle), std::nullopt);
  EXPECT_THAT(Entity(kPhone), Optional(EqualsProto(*phone_before)));
  EXPECT_THAT(Audit(), SizeIs(1));
  EXPECT_EQ(RawReport("B", "2"), std::nullopt);
  EXPECT_EQ(RawReport("B", "3"), std::nullopt);
  std::optional<v1::StoredReport> a1 = RawReport("A", "1");
  ASSERT_TRUE(a1.has_value());
  EXPECT_THAT(KeysOf(a1->report().identifiers()), ElementsAre(KeyOf(kPhone)));

  // Nothing of it was stored: the retry is a real change, one version.
  ASSERT_OK_AND_ASSIGN(std::vector<ApplyReportResult> retry,
                       Apply(batch, "police-hcm", T(300)));
  ASSERT_THAT(retry, SizeIs(3));
  for (const ApplyReportResult& r : retry) {
    EXPECT_FALSE(r.unchanged);
    EXPECT_EQ(r.list_version, 2u);
  }
  EXPECT_THAT(retry[0].identifiers_added, SizeIs(1));
  EXPECT_THAT(retry[1].identifiers_added, SizeIs(1));
  EXPECT_THAT(retry[2].identifiers_added, SizeIs(1));
  const std::vector<v1::AuditRecord> audit = Audit();
  ASSERT_THAT(audit, SizeIs(4));
  ExpectValidChain(audit);
  ASSERT_OK_AND_ASSIGN(AuditCheck check, list().VerifyAudit());
  EXPECT_TRUE(check.ok) << check.broken_at << ": " << check.problem;
}

// -------------------------------------------------------------- WithdrawReport

// A/1 names the phone and the account; B/2 names the account and the wallet.
// Withdrawing A/1 leaves the phone without a live report.
class BlocklistStoreWithdrawnTest : public BlocklistStoreBatchTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(BlocklistStoreBatchTest::SetUp());
    ASSERT_TRUE(Apply({a1_, b2_}, "police-hn", T(100)).ok());
    ASSERT_OK_AND_ASSIGN(
        withdrawn_, list().WithdrawReport("A", "1", "bao nham", "CV-77/PC02",
                                          "police-hcm", T(200)));
  }

  const v1::Report a1_ = MakeReport("A", "1", {kPhone, kAccount}, T(1));
  const v1::Report b2_ = MakeReport("B", "2", {kAccount, kWallet}, T(2));
  WithdrawResult withdrawn_;
};

TEST_F(BlocklistStoreWithdrawnTest, WithdrawResult) {
  EXPECT_FALSE(withdrawn_.unchanged);
  EXPECT_THAT(KeysOf(withdrawn_.delisted), ElementsAre(KeyOf(kPhone)));
  EXPECT_THAT(KeysOf(withdrawn_.still_listed), ElementsAre(KeyOf(kAccount)));
  EXPECT_EQ(withdrawn_.list_version, 2u);
  EXPECT_EQ(list().list_version(), 2u);
}

TEST_F(BlocklistStoreWithdrawnTest, StateSurvivesReopen) {
  auto check = [&] {
    EXPECT_EQ(list().list_version(), 2u);

    std::optional<v1::Entity> phone = Entity(kPhone);
    ASSERT_TRUE(phone.has_value());
    EXPECT_EQ(phone->status(), v1::DELISTED);
    ASSERT_THAT(phone->reports(), SizeIs(1));  // kept, marked withdrawn
    EXPECT_EQ(phone->reports(0).report_id(), "1");
    EXPECT_TRUE(phone->reports(0).withdrawn());
    ASSERT_THAT(phone->history(), SizeIs(2));
    const v1::EntityEvent& event = phone->history(1);
    EXPECT_EQ(event.action(), "WITHDRAWN");
    EXPECT_EQ(event.actor(), "police-hcm");
    EXPECT_EQ(FromProtoTime(event.at()), T(200));
    EXPECT_THAT(event.reason(), HasSubstr("bao nham"));
    EXPECT_THAT(event.reason(), HasSubstr("CV-77/PC02"));

    std::optional<v1::Entity> account = Entity(kAccount);
    ASSERT_TRUE(account.has_value());
    EXPECT_EQ(account->status(), v1::ACTIVE);
    ASSERT_THAT(account->reports(), SizeIs(2));
    EXPECT_TRUE(account->reports(0).withdrawn());
    EXPECT_FALSE(account->reports(1).withdrawn());
    ASSERT_THAT(account->history(), SizeIs(3));
    EXPECT_EQ(account->history(2).action(), "WITHDRAWN");

    // The wallet was not named by A/1: untouched.
    std::optional<v1::Entity> wallet = Entity(kWallet);
    ASSERT_TRUE(wallet.has_value());
    EXPECT_EQ(wallet->status(), v1::ACTIVE);
    EXPECT_THAT(wallet->history(), SizeIs(1));
    EXPECT_FALSE(wallet->reports(0).withdrawn());

    // The stored report records the withdrawal and keeps the upload.
    std::optional<v1::StoredReport> stored = RawReport("A", "1");
    ASSERT_TRUE(stored.has_value());
    EXPECT_TRUE(stored->withdrawn());
    EXPECT_EQ(stored->withdrawn_by(), "police-hcm");
    EXPECT_EQ(FromProtoTime(stored->withdrawn_at()), T(200));
    EXPECT_EQ(stored->withdraw_reason(), "bao nham");
    EXPECT_EQ(stored->withdraw_reference(), "CV-77/PC02");
    EXPECT_THAT(stored->report(), EqualsProto(a1_));
    EXPECT_EQ(stored->uploaded_by(), "police-hn");
    EXPECT_EQ(FromProtoTime(stored->uploaded_at()), T(100));
    std::optional<v1::StoredReport> other = RawReport("B", "2");
    ASSERT_TRUE(other.has_value());
    EXPECT_FALSE(other->withdrawn());

    // One REPORT_WITHDRAWN audit record after the batch's two.
    const std::vector<v1::AuditRecord> audit = Audit();
    ASSERT_THAT(audit, SizeIs(3));
    ExpectValidChain(audit);
    const v1::AuditRecord& record = audit[2];
    EXPECT_EQ(record.sequence(), 3u);
    EXPECT_EQ(record.list_version(), 2u);
    EXPECT_EQ(record.action(), "REPORT_WITHDRAWN");
    EXPECT_EQ(record.actor(), "police-hcm");
    EXPECT_EQ(FromProtoTime(record.at()), T(200));
    EXPECT_EQ(record.agency(), "A");
    EXPECT_EQ(record.report_id(), "1");
    EXPECT_EQ(record.reason(), "bao nham");
    EXPECT_EQ(record.reference(), "CV-77/PC02");
    EXPECT_THAT(KeysOf(record.identifiers()),
                ElementsAre(KeyOf(kPhone), KeyOf(kAccount)));
  };
  ASSERT_NO_FATAL_FAILURE(check());
  ASSERT_NO_FATAL_FAILURE(Reopen());
  ASSERT_NO_FATAL_FAILURE(check());
  ASSERT_OK_AND_ASSIGN(AuditCheck verified, list().VerifyAudit());
  EXPECT_TRUE(verified.ok) << verified.broken_at << ": " << verified.problem;
  EXPECT_EQ(verified.records, 3u);
  EXPECT_EQ(verified.list_version, 2u);
}

TEST_F(BlocklistStoreWithdrawnTest, WithdrawingAgainIsUnchanged) {
  const std::optional<v1::Entity> phone = Entity(kPhone);
  const std::optional<v1::StoredReport> stored = RawReport("A", "1");
  ASSERT_TRUE(stored.has_value());
  for (int round = 0; round < 2; ++round) {
    SCOPED_TRACE(round);
    ASSERT_OK_AND_ASSIGN(WithdrawResult again,
                         list().WithdrawReport("A", "1", "lan nua", "CV-78",
                                               "police-dn", T(300)));
    EXPECT_TRUE(again.unchanged);
    EXPECT_THAT(again.delisted, IsEmpty());
    EXPECT_THAT(again.still_listed, IsEmpty());
    EXPECT_EQ(again.list_version, 2u);
    EXPECT_EQ(list().list_version(), 2u);
    EXPECT_THAT(Audit(), SizeIs(3));
    EXPECT_THAT(Entity(kPhone), Optional(EqualsProto(*phone)));
    EXPECT_THAT(RawReport("A", "1"), Optional(EqualsProto(*stored)));
    ASSERT_NO_FATAL_FAILURE(Reopen());
  }
}

TEST_F(BlocklistStoreWithdrawTest, UnknownReportIsNotFound) {
  ASSERT_TRUE(list()
                  .ApplyReport(MakeReport("A", "1", {kPhone}, T(1)),
                               "police-hn", T(100))
                  .ok());
  for (const auto& [agency, report_id] :
       std::vector<std::pair<std::string, std::string>>{
           {"A", "2"}, {"B", "1"}, {"", ""}}) {
    SCOPED_TRACE(agency + "/" + report_id);
    auto result =
        list().WithdrawReport(agency, report_id, "r", "ref", "p", T(200));
    EXPECT_EQ(result.status().code(), absl::StatusCode::kNotFound)
        << result.status();
  }
  EXPECT_EQ(list().list_version(), 1u);
  EXPECT_THAT(Audit(), SizeIs(1));
  EXPECT_EQ(Entity(kPhone)->status(), v1::ACTIVE);
}

TEST_F(BlocklistStoreWithdrawnTest, ReuploadIsRefused) {
  const std::optional<v1::Entity> phone = Entity(kPhone);
  const std::optional<v1::Entity> account = Entity(kAccount);
  const std::optional<v1::StoredReport> stored = RawReport("A", "1");
  ASSERT_TRUE(stored.has_value());

  // As it was, and corrected with another identifier: both refused.
  for (const v1::Report& report :
       {a1_, MakeReport("A", "1", {kPhone, kAccount, kHandle}, T(1))}) {
    ASSERT_OK_AND_ASSIGN(ApplyReportResult result,
                         list().ApplyReport(report, "police-hn", T(300)));
    EXPECT_EQ(result.status.code(), absl::StatusCode::kFailedPrecondition)
        << result.status;
    EXPECT_THAT(result.status.message(), HasSubstr("withdrawn"));
    EXPECT_FALSE(result.unchanged);
    EXPECT_THAT(result.identifiers_added, SizeIs(0));
    EXPECT_EQ(result.list_version, 2u);
  }
  EXPECT_EQ(list().list_version(), 2u);
  EXPECT_THAT(Audit(), SizeIs(3));
  EXPECT_THAT(Entity(kPhone), Optional(EqualsProto(*phone)));
  EXPECT_THAT(Entity(kAccount), Optional(EqualsProto(*account)));
  EXPECT_EQ(Entity(kHandle), std::nullopt);
  EXPECT_THAT(RawReport("A", "1"), Optional(EqualsProto(*stored)));

  // In a batch: the refused report does not fail the others.
  ASSERT_OK_AND_ASSIGN(std::vector<ApplyReportResult> results,
                       Apply({a1_, MakeReport("C", "3", {kOtherPhone}, T(3))},
                             "police-hn", T(400)));
  ASSERT_THAT(results, SizeIs(2));
  EXPECT_EQ(results[0].status.code(), absl::StatusCode::kFailedPrecondition)
      << results[0].status;
  EXPECT_THAT(results[0].identifiers_added, SizeIs(0));
  EXPECT_TRUE(results[1].status.ok()) << results[1].status;
  EXPECT_THAT(results[1].identifiers_added, SizeIs(1));
  EXPECT_EQ(results[1].list_version, 3u);
  EXPECT_EQ(list().list_version(), 3u);
  const std::vector<v1::AuditRecord> audit = Audit();
  ASSERT_THAT(audit, SizeIs(4));
  EXPECT_EQ(audit[3].report_id(), "3");
  EXPECT_THAT(Entity(kPhone), Optional(EqualsProto(*phone)));
  EXPECT_THAT(RawReport("A", "1"), Optional(EqualsProto(*stored)));

  // A batch of only refused reports writes nothing.
  ASSERT_OK_AND_ASSIGN(results, Apply({a1_}, "police-hn", T(500)));
  EXPECT_EQ(results[0].status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(list().list_version(), 3u);
  EXPECT_THAT(Audit(), SizeIs(4));
}

TEST_F(BlocklistStoreWithdrawnTest, NewReportReactivatesTheIdentifier) {
  ASSERT_OK_AND_ASSIGN(ApplyReportResult result,
                       list().ApplyReport(MakeReport("C", "3", {kPhone}, T(3)),
                                          "police-dn", T(300)));
  EXPECT_FALSE(result.unchanged);
  EXPECT_THAT(result.identifiers_added, SizeIs(1));
  EXPECT_EQ(result.list_version, 3u);

  auto check = [&] {
    std::optional<v1::Entity> phone = Entity(kPhone);
    ASSERT_TRUE(phone.has_value());
    EXPECT_EQ(phone->status(), v1::ACTIVE);
    ASSERT_THAT(phone->reports(), SizeIs(2));
    EXPECT_TRUE(phone->reports(0).withdrawn());
    EXPECT_EQ(phone->reports(1).report_id(), "3");
    EXPECT_FALSE(phone->reports(1).withdrawn());
    ASSERT_THAT(phone->history(), SizeIs(3));
    EXPECT_EQ(phone->history(0).action(), "REPORTED");
    EXPECT_EQ(phone->history(1).action(), "WITHDRAWN");
    EXPECT_EQ(phone->history(2).action(), "REPORTED");
    EXPECT_EQ(phone->history(2).actor(), "police-dn");
  };
  ASSERT_NO_FATAL_FAILURE(check());
  ASSERT_NO_FATAL_FAILURE(Reopen());
  ASSERT_NO_FATAL_FAILURE(check());
  EXPECT_EQ(list().list_version(), 3u);

  // Withdrawing the new report delists it again.
  ASSERT_OK_AND_ASSIGN(
      WithdrawResult again,
      list().WithdrawReport("C", "3", "r", "ref", "police-dn", T(400)));
  EXPECT_THAT(KeysOf(again.delisted), ElementsAre(KeyOf(kPhone)));
  EXPECT_EQ(Entity(kPhone)->status(), v1::DELISTED);
}

TEST_F(BlocklistStoreWithdrawTest, WithdrawingTheLastReportOfEveryIdentifier) {
  ASSERT_TRUE(list()
                  .ApplyReport(MakeReport("A", "1", {kPhone, kAccount}, T(1)),
                               "police-hn", T(100))
                  .ok());
  ASSERT_OK_AND_ASSIGN(
      WithdrawResult result,
      list().WithdrawReport("A", "1", "r", "ref", "police-hn", T(200)));
  EXPECT_THAT(KeysOf(result.delisted),
              UnorderedElementsAre(KeyOf(kPhone), KeyOf(kAccount)));
  EXPECT_THAT(result.still_listed, IsEmpty());
  EXPECT_EQ(Entity(kPhone)->status(), v1::DELISTED);
  EXPECT_EQ(Entity(kAccount)->status(), v1::DELISTED);
}

TEST_F(BlocklistStoreWithdrawTest, ManuallyDelistedIdentifierIsInNeitherList) {
  ASSERT_TRUE(list()
                  .ApplyReport(MakeReport("A", "1", {kPhone, kAccount}, T(1)),
                               "police-hn", T(100))
                  .ok());
  ASSERT_TRUE(list().Delist(kPhone, "r", "ref", "police-hn", T(150)).ok());
  ASSERT_OK_AND_ASSIGN(
      WithdrawResult result,
      list().WithdrawReport("A", "1", "r", "ref", "police-hn", T(200)));
  // It was not listed before the withdrawal, so the withdrawal did not delist
  // it; it is not listed either.
  EXPECT_THAT(KeysOf(result.delisted), ElementsAre(KeyOf(kAccount)));
  EXPECT_THAT(result.still_listed, IsEmpty());
  std::optional<v1::Entity> phone = Entity(kPhone);
  ASSERT_TRUE(phone.has_value());
  EXPECT_EQ(phone->status(), v1::DELISTED);
  EXPECT_TRUE(phone->reports(0).withdrawn());
  EXPECT_EQ(list().list_version(), 3u);
}

TEST_F(BlocklistStoreWithdrawTest, WriteFaultLeavesNoTrace) {
  ASSERT_NO_FATAL_FAILURE(UseFaultEnv());
  ASSERT_TRUE(list()
                  .ApplyReport(MakeReport("A", "1", {kPhone}, T(1)),
                               "police-hn", T(100))
                  .ok());
  const std::optional<v1::Entity> before = Entity(kPhone);

  fault_env_.FailWrites(true);
  auto failed =
      list().WithdrawReport("A", "1", "r", "ref", "police-hn", T(200));
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kUnavailable)
      << failed.status();
  EXPECT_EQ(list().list_version(), 1u);
  store_.reset();
  fault_env_.FailWrites(false);
  ASSERT_NO_FATAL_FAILURE(Reopen());

  EXPECT_EQ(list().list_version(), 1u);
  EXPECT_THAT(Entity(kPhone), Optional(EqualsProto(*before)));
  EXPECT_THAT(Audit(), SizeIs(1));
  std::optional<v1::StoredReport> stored = RawReport("A", "1");
  ASSERT_TRUE(stored.has_value());
  EXPECT_FALSE(stored->withdrawn());

  ASSERT_OK_AND_ASSIGN(
      WithdrawResult retry,
      list().WithdrawReport("A", "1", "r", "ref", "police-hn", T(300)));
  EXPECT_FALSE(retry.unchanged);
  EXPECT_EQ(retry.list_version, 2u);
  EXPECT_THAT(KeysOf(retry.delisted), ElementsAre(KeyOf(kPhone)));
}

}  // namespace
}  // namespace fraudgate::store
