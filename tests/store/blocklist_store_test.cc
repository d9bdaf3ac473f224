// BlocklistStore against a real RocksDB in a unique temp dir: report merging,
// delisting, the list version, the audit hash chain, durability across a
// close and reopen, and I/O faults injected under the real Env.
#include "store/blocklist_store.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
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
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "proto/proto_time.h"
#include "store/store.h"
#include "store/store_options.h"
#include "tests/testing/fault_env.h"
#include "tests/testing/matchers.h"
#include "tests/testing/proto_printer.h"
#include "tests/testing/store_fixture.h"
#include "tests/testing/temp_dir.h"

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
using ::fraudgate::testing::T;
using ::fraudgate::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::Eq;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Optional;
using ::testing::SizeIs;
using ::testing::UnorderedElementsAre;

using BlocklistStoreTest = BlocklistStoreFixture;

TEST(StoreOpenTest, WithoutPathIsInvalidArgument) {
  auto store = Store::Open(StoreOptions{});
  EXPECT_EQ(store.status().code(), absl::StatusCode::kInvalidArgument)
      << store.status();
}

TEST(StoreOpenTest, MissingDatabaseWithoutCreateIsNotOk) {
  TempDir dir;
  StoreOptions options;
  options.path = dir.File("absent");
  options.create_if_missing = false;
  EXPECT_FALSE(Store::Open(options).ok());
}

TEST_F(BlocklistStoreTest, SecondOpenOfALockedDatabaseIsUnavailable) {
  StoreOptions options;
  options.path = dir_.File("db");
  auto second = Store::Open(options);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable)
      << second.status();
}

TEST_F(BlocklistStoreTest, NewStoreIsEmpty) {
  EXPECT_EQ(list().list_version(), 0u);
  EXPECT_THAT(Audit(), IsEmpty());
  ASSERT_OK_AND_ASSIGN(LookupResult found,
                       list().Lookup({KeyOf(kPhone), KeyOf(kAccount)}));
  EXPECT_THAT(found.entities, ElementsAre(Eq(std::nullopt), Eq(std::nullopt)));
  EXPECT_EQ(found.list_version, 0u);
}

TEST_F(BlocklistStoreTest, NewReportListsEveryIdentifier) {
  v1::Report report =
      MakeReport("C03-HN", "HN-2024-0001", {kPhone, kAccount, kWallet}, T(10),
                 v1::SUSPECTED);
  *report.mutable_expires_at() = ToProtoTime(T(1'000'000));

  ASSERT_OK_AND_ASSIGN(ApplyReportResult result,
                       list().ApplyReport(report, "police-hn", T(100)));
  EXPECT_FALSE(result.unchanged);
  EXPECT_THAT(result.identifiers_added, SizeIs(3));
  EXPECT_EQ(result.list_version, 1u);
  EXPECT_EQ(list().list_version(), 1u);

  v1::ReportRef ref;
  ref.set_agency("C03-HN");
  ref.set_report_id("HN-2024-0001");
  ref.set_category(v1::INVESTMENT_SCAM);
  ref.set_confidence(v1::SUSPECTED);
  *ref.mutable_reported_at() = ToProtoTime(T(10));
  *ref.mutable_expires_at() = ToProtoTime(T(1'000'000));
  ref.set_uploaded_by("police-hn");
  *ref.mutable_uploaded_at() = ToProtoTime(T(100));

  for (const v1::Identifier& id : {kPhone, kAccount, kWallet}) {
    SCOPED_TRACE(KeyOf(id));
    std::optional<v1::Entity> entity = Entity(id);
    ASSERT_TRUE(entity.has_value());
    EXPECT_THAT(entity->identifier(), EqualsProto(id));
    EXPECT_EQ(entity->status(), v1::ACTIVE);
    ASSERT_THAT(entity->reports(), SizeIs(1));
    EXPECT_THAT(entity->reports(0), EqualsProto(ref));
    EXPECT_EQ(FromProtoTime(entity->first_reported_at()), T(10));
    EXPECT_EQ(FromProtoTime(entity->last_reported_at()), T(10));
    ASSERT_THAT(entity->history(), SizeIs(1));
    EXPECT_EQ(entity->history(0).action(), "REPORTED");
    EXPECT_EQ(entity->history(0).actor(), "police-hn");
    EXPECT_EQ(FromProtoTime(entity->history(0).at()), T(100));
    EXPECT_THAT(entity->history(0).reason(), HasSubstr("HN-2024-0001"));
  }
  EXPECT_THAT(KeysOf(Entity(kPhone)->linked()),
              UnorderedElementsAre(KeyOf(kAccount), KeyOf(kWallet)));
  EXPECT_THAT(KeysOf(Entity(kAccount)->linked()),
              UnorderedElementsAre(KeyOf(kPhone), KeyOf(kWallet)));
  EXPECT_THAT(KeysOf(Entity(kWallet)->linked()),
              UnorderedElementsAre(KeyOf(kPhone), KeyOf(kAccount)));
  // Not part of the report: not listed.
  EXPECT_EQ(Entity(kHandle), std::nullopt);
}

TEST_F(BlocklistStoreTest, ApplyReportAppendsOneAuditRecord) {
  const v1::Report report =
      MakeReport("C03-HN", "HN-1", {kPhone, kAccount}, T(10));
  ASSERT_TRUE(list().ApplyReport(report, "police-hn", T(100)).ok());

  const std::vector<v1::AuditRecord> audit = Audit();
  ASSERT_THAT(audit, SizeIs(1));
  const v1::AuditRecord& record = audit[0];
  EXPECT_EQ(record.sequence(), 1u);
  EXPECT_EQ(record.list_version(), 1u);
  EXPECT_EQ(record.action(), "REPORT_ACCEPTED");
  EXPECT_EQ(record.actor(), "police-hn");
  EXPECT_EQ(FromProtoTime(record.at()), T(100));
  EXPECT_EQ(record.agency(), "C03-HN");
  EXPECT_EQ(record.report_id(), "HN-1");
  EXPECT_THAT(KeysOf(record.identifiers()),
              ElementsAre(KeyOf(kPhone), KeyOf(kAccount)));
  EXPECT_EQ(record.prev_sha256(), std::string(32, '\0'));
}

TEST_F(BlocklistStoreTest, ReuploadOfIdenticalReportIsUnchanged) {
  const v1::Report report =
      MakeReport("C03-HN", "HN-1", {kPhone, kAccount}, T(10));
  ASSERT_TRUE(list().ApplyReport(report, "police-hn", T(100)).ok());
  const std::optional<v1::Entity> before = Entity(kPhone);
  ASSERT_TRUE(before.has_value());

  ASSERT_OK_AND_ASSIGN(ApplyReportResult again,
                       list().ApplyReport(report, "police-hcm", T(200)));
  EXPECT_TRUE(again.unchanged);
  EXPECT_THAT(again.identifiers_added, SizeIs(0));
  EXPECT_EQ(again.list_version, 1u);
  EXPECT_EQ(list().list_version(), 1u);
  EXPECT_THAT(Audit(), SizeIs(1));
  EXPECT_THAT(Entity(kPhone), Optional(EqualsProto(*before)));

  // The same identifiers in another order are the same report.
  v1::Report reordered =
      MakeReport("C03-HN", "HN-1", {kAccount, kPhone}, T(10));
  ASSERT_OK_AND_ASSIGN(ApplyReportResult third,
                       list().ApplyReport(reordered, "police-hn", T(300)));
  EXPECT_TRUE(third.unchanged);
  EXPECT_EQ(list().list_version(), 1u);
  EXPECT_THAT(Audit(), SizeIs(1));
}

TEST_F(BlocklistStoreTest, ReuploadWithAnotherIdentifierMerges) {
  ASSERT_TRUE(list()
                  .ApplyReport(MakeReport("C03-HN", "HN-1", {kPhone, kAccount},
                                          T(10), v1::SUSPECTED),
                               "police-hn", T(100))
                  .ok());
  // The corrected upload names only one of the old identifiers, adds one, and
  // raises the confidence.
  ASSERT_OK_AND_ASSIGN(
      ApplyReportResult result,
      list().ApplyReport(MakeReport("C03-HN", "HN-1", {kAccount, kWallet},
                                    T(10), v1::CONFIRMED),
                         "police-hn-2", T(200)));
  EXPECT_FALSE(result.unchanged);
  EXPECT_THAT(result.identifiers_added, SizeIs(1));
  EXPECT_EQ(result.list_version, 2u);

  // The union is kept: the phone stays listed, with one (updated) ref and no
  // second REPORTED event.
  std::optional<v1::Entity> phone = Entity(kPhone);
  ASSERT_TRUE(phone.has_value());
  EXPECT_EQ(phone->status(), v1::ACTIVE);
  ASSERT_THAT(phone->reports(), SizeIs(1));
  EXPECT_EQ(phone->reports(0).confidence(), v1::CONFIRMED);
  EXPECT_EQ(phone->reports(0).uploaded_by(), "police-hn");
  EXPECT_EQ(FromProtoTime(phone->reports(0).uploaded_at()), T(100));
  EXPECT_THAT(phone->history(), SizeIs(1));
  EXPECT_THAT(KeysOf(phone->linked()),
              UnorderedElementsAre(KeyOf(kAccount), KeyOf(kWallet)));

  std::optional<v1::Entity> wallet = Entity(kWallet);
  ASSERT_TRUE(wallet.has_value());
  EXPECT_EQ(wallet->status(), v1::ACTIVE);
  ASSERT_THAT(wallet->reports(), SizeIs(1));
  EXPECT_EQ(wallet->reports(0).report_id(), "HN-1");
  EXPECT_EQ(wallet->reports(0).confidence(), v1::CONFIRMED);
  EXPECT_EQ(wallet->reports(0).uploaded_by(), "police-hn-2");
  ASSERT_THAT(wallet->history(), SizeIs(1));
  EXPECT_EQ(wallet->history(0).actor(), "police-hn-2");
  EXPECT_THAT(KeysOf(wallet->linked()),
              UnorderedElementsAre(KeyOf(kPhone), KeyOf(kAccount)));

  const std::vector<v1::AuditRecord> audit = Audit();
  ASSERT_THAT(audit, SizeIs(2));
  EXPECT_THAT(
      KeysOf(audit[1].identifiers()),
      UnorderedElementsAre(KeyOf(kPhone), KeyOf(kAccount), KeyOf(kWallet)));

  // The merged report is what is stored: uploading the union again changes
  // nothing.
  ASSERT_OK_AND_ASSIGN(
      ApplyReportResult again,
      list().ApplyReport(
          MakeReport("C03-HN", "HN-1", {kPhone, kAccount, kWallet}, T(10),
                     v1::CONFIRMED),
          "police-hn", T(300)));
  EXPECT_TRUE(again.unchanged);
  EXPECT_EQ(list().list_version(), 2u);
}

TEST_F(BlocklistStoreTest, SecondReportOnAnIdentifierAddsARef) {
  ASSERT_TRUE(list()
                  .ApplyReport(MakeReport("C03-HN", "HN-1", {kPhone}, T(50)),
                               "police-hn", T(100))
                  .ok());
  // Uploaded later, but reported earlier, by another agency.
  ASSERT_OK_AND_ASSIGN(ApplyReportResult result,
                       list().ApplyReport(MakeReport("PC02-HCM", "HCM-7",
                                                     {kPhone, kHandle}, T(20)),
                                          "police-hcm", T(200)));
  EXPECT_FALSE(result.unchanged);
  EXPECT_THAT(result.identifiers_added,
              SizeIs(1));  // the phone was already listed
  EXPECT_EQ(result.list_version, 2u);

  std::optional<v1::Entity> phone = Entity(kPhone);
  ASSERT_TRUE(phone.has_value());
  EXPECT_EQ(phone->status(), v1::ACTIVE);
  ASSERT_THAT(phone->reports(), SizeIs(2));
  EXPECT_EQ(phone->reports(0).report_id(), "HN-1");
  EXPECT_EQ(phone->reports(0).uploaded_by(), "police-hn");
  EXPECT_EQ(phone->reports(1).report_id(), "HCM-7");
  EXPECT_EQ(phone->reports(1).agency(), "PC02-HCM");
  EXPECT_EQ(phone->reports(1).uploaded_by(), "police-hcm");
  EXPECT_EQ(FromProtoTime(phone->first_reported_at()), T(20));
  EXPECT_EQ(FromProtoTime(phone->last_reported_at()), T(50));
  ASSERT_THAT(phone->history(), SizeIs(2));
  EXPECT_EQ(phone->history(1).action(), "REPORTED");
  EXPECT_EQ(phone->history(1).actor(), "police-hcm");
  EXPECT_THAT(KeysOf(phone->linked()), ElementsAre(KeyOf(kHandle)));

  // A third, latest report moves last_reported_at only.
  ASSERT_TRUE(list()
                  .ApplyReport(MakeReport("C03-HN", "HN-9", {kPhone}, T(90)),
                               "police-hn", T(300))
                  .ok());
  phone = Entity(kPhone);
  ASSERT_TRUE(phone.has_value());
  EXPECT_THAT(phone->reports(), SizeIs(3));
  EXPECT_EQ(FromProtoTime(phone->first_reported_at()), T(20));
  EXPECT_EQ(FromProtoTime(phone->last_reported_at()), T(90));
}

TEST_F(BlocklistStoreTest, DelistMarksTheEntityDelisted) {
  ASSERT_TRUE(
      list()
          .ApplyReport(MakeReport("C03-HN", "HN-1", {kPhone, kAccount}, T(10)),
                       "police-hn", T(100))
          .ok());
  ASSERT_OK_AND_ASSIGN(
      v1::Entity delisted,
      list().Delist(kPhone, "so nham", "CV-123/PC02", "police-hn-2", T(200)));
  EXPECT_EQ(delisted.status(), v1::DELISTED);
  ASSERT_THAT(delisted.history(), SizeIs(2));
  const v1::EntityEvent& event = delisted.history(1);
  EXPECT_EQ(event.action(), "DELISTED");
  EXPECT_EQ(event.actor(), "police-hn-2");
  EXPECT_EQ(FromProtoTime(event.at()), T(200));
  EXPECT_THAT(event.reason(), HasSubstr("so nham"));
  EXPECT_THAT(event.reason(), HasSubstr("CV-123/PC02"));
  EXPECT_EQ(list().list_version(), 2u);

  // Stored as returned; the other identifier of the report is untouched.
  EXPECT_THAT(Entity(kPhone), Optional(EqualsProto(delisted)));
  EXPECT_EQ(Entity(kAccount)->status(), v1::ACTIVE);
  ASSERT_OK_AND_ASSIGN(LookupResult found, list().Lookup({KeyOf(kPhone)}));
  EXPECT_EQ(found.list_version, 2u);

  const std::vector<v1::AuditRecord> audit = Audit();
  ASSERT_THAT(audit, SizeIs(2));
  EXPECT_EQ(audit[1].sequence(), 2u);
  EXPECT_EQ(audit[1].list_version(), 2u);
  EXPECT_EQ(audit[1].action(), "DELISTED");
  EXPECT_EQ(audit[1].actor(), "police-hn-2");
  EXPECT_EQ(audit[1].reason(), "so nham");
  EXPECT_EQ(audit[1].reference(), "CV-123/PC02");
  EXPECT_EQ(FromProtoTime(audit[1].at()), T(200));
  EXPECT_THAT(KeysOf(audit[1].identifiers()), ElementsAre(KeyOf(kPhone)));
}

TEST_F(BlocklistStoreTest, DelistingADelistedEntityWritesNothing) {
  ASSERT_TRUE(list()
                  .ApplyReport(MakeReport("C03-HN", "HN-1", {kPhone}, T(10)),
                               "police-hn", T(100))
                  .ok());
  ASSERT_OK_AND_ASSIGN(
      v1::Entity first,
      list().Delist(kPhone, "so nham", "CV-1", "police-hn", T(200)));
  ASSERT_OK_AND_ASSIGN(
      v1::Entity second,
      list().Delist(kPhone, "lan nua", "CV-2", "police-hn", T(300)));
  EXPECT_THAT(second, EqualsProto(first));
  EXPECT_EQ(list().list_version(), 2u);
  EXPECT_THAT(Audit(), SizeIs(2));
  EXPECT_THAT(Entity(kPhone), Optional(EqualsProto(first)));
}

TEST_F(BlocklistStoreTest, DelistOfAnUnknownIdentifierIsNotFound) {
  auto delisted = list().Delist(kPhone, "so nham", "CV-1", "police-hn", T(200));
  EXPECT_EQ(delisted.status().code(), absl::StatusCode::kNotFound)
      << delisted.status();
  EXPECT_EQ(list().list_version(), 0u);
  EXPECT_THAT(Audit(), IsEmpty());
  EXPECT_EQ(Entity(kPhone), std::nullopt);
}

TEST_F(BlocklistStoreTest, NewReportReactivatesADelistedIdentifier) {
  ASSERT_TRUE(
      list()
          .ApplyReport(MakeReport("C03-HN", "HN-1", {kPhone, kAccount}, T(10)),
                       "police-hn", T(100))
          .ok());
  ASSERT_TRUE(
      list().Delist(kPhone, "so nham", "CV-1", "police-hn", T(200)).ok());

  // The identical report again is a no-op: it does not undo the delisting.
  ASSERT_OK_AND_ASSIGN(ApplyReportResult same,
                       list().ApplyReport(MakeReport("C03-HN", "HN-1",
                                                     {kPhone, kAccount}, T(10)),
                                          "police-hn", T(250)));
  EXPECT_TRUE(same.unchanged);
  EXPECT_EQ(Entity(kPhone)->status(), v1::DELISTED);

  // A new report on it lists it again; the still-active account is not
  // counted as added.
  ASSERT_OK_AND_ASSIGN(ApplyReportResult result,
                       list().ApplyReport(MakeReport("PC02-HCM", "HCM-2",
                                                     {kPhone, kAccount}, T(30)),
                                          "police-hcm", T(300)));
  EXPECT_FALSE(result.unchanged);
  EXPECT_THAT(result.identifiers_added, SizeIs(1));
  EXPECT_EQ(result.list_version, 3u);

  std::optional<v1::Entity> phone = Entity(kPhone);
  ASSERT_TRUE(phone.has_value());
  EXPECT_EQ(phone->status(), v1::ACTIVE);
  EXPECT_THAT(phone->reports(), SizeIs(2));
  ASSERT_THAT(phone->history(), SizeIs(3));
  EXPECT_EQ(phone->history(0).action(), "REPORTED");
  EXPECT_EQ(phone->history(1).action(), "DELISTED");
  EXPECT_EQ(phone->history(2).action(), "REPORTED");
  EXPECT_EQ(FromProtoTime(phone->history(2).at()), T(300));
}

TEST_F(BlocklistStoreTest, ListVersionBumpsByOnePerCommittedMutation) {
  std::vector<uint64_t> versions;
  auto apply = [&](const v1::Report& report) {
    auto result = list().ApplyReport(report, "police-hn", T(100));
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_EQ(result->list_version, list().list_version());
    versions.push_back(list().list_version());
  };
  auto delist = [&](const v1::Identifier& id) {
    auto result = list().Delist(id, "r", "ref", "police-hn", T(100));
    ASSERT_TRUE(result.ok()) << result.status();
    versions.push_back(list().list_version());
  };
  const v1::Report r1 = MakeReport("A", "1", {kPhone, kAccount}, T(1));
  ASSERT_NO_FATAL_FAILURE(apply(r1));                                     // 1
  ASSERT_NO_FATAL_FAILURE(apply(MakeReport("A", "2", {kWallet}, T(2))));  // 2
  ASSERT_NO_FATAL_FAILURE(apply(r1));       // unchanged: 2
  ASSERT_NO_FATAL_FAILURE(delist(kPhone));  // 3
  ASSERT_NO_FATAL_FAILURE(delist(kPhone));  // already delisted: 3
  ASSERT_NO_FATAL_FAILURE(
      apply(MakeReport("A", "1", {kPhone, kAccount, kHandle}, T(1))));  // 4
  EXPECT_FALSE(list().Delist(kOtherPhone, "r", "ref", "p", T(1)).ok());
  versions.push_back(list().list_version());  // NOT_FOUND: 4
  EXPECT_THAT(versions, ElementsAre(1, 2, 2, 3, 3, 4, 4));

  ASSERT_OK_AND_ASSIGN(LookupResult found, list().Lookup({KeyOf(kPhone)}));
  EXPECT_EQ(found.list_version, 4u);
  EXPECT_THAT(Audit(), SizeIs(4));
}

TEST_F(BlocklistStoreTest, LookupReturnsEntitiesInRequestedOrder) {
  ASSERT_TRUE(list()
                  .ApplyReport(MakeReport("A", "1", {kPhone, kAccount}, T(1)),
                               "police-hn", T(100))
                  .ok());
  ASSERT_TRUE(list()
                  .ApplyReport(MakeReport("A", "2", {kWallet}, T(2)),
                               "police-hn", T(100))
                  .ok());
  ASSERT_TRUE(list().Delist(kAccount, "r", "ref", "police-hn", T(200)).ok());

  const std::vector<std::string> keys = {KeyOf(kWallet),  KeyOf(kHandle),
                                         KeyOf(kPhone),   KeyOf(kOtherPhone),
                                         KeyOf(kAccount), KeyOf(kWallet)};
  ASSERT_OK_AND_ASSIGN(LookupResult found, list().Lookup(keys));
  EXPECT_EQ(found.list_version, 3u);
  ASSERT_THAT(found.entities, SizeIs(keys.size()));
  for (size_t i = 0; i < keys.size(); ++i) {
    SCOPED_TRACE(i);
    if (i == 1 || i == 3) {
      EXPECT_EQ(found.entities[i], std::nullopt);
      continue;
    }
    ASSERT_TRUE(found.entities[i].has_value());
    EXPECT_EQ(KeyOf(found.entities[i]->identifier()), keys[i]);
  }
  // Status as stored: a delisted entity is returned, not hidden.
  EXPECT_EQ(found.entities[4]->status(), v1::DELISTED);
  EXPECT_EQ(found.entities[2]->status(), v1::ACTIVE);

  ASSERT_OK_AND_ASSIGN(LookupResult none, list().Lookup({}));
  EXPECT_THAT(none.entities, IsEmpty());
  EXPECT_EQ(none.list_version, 3u);
}

// Lookups while reports are committed: the list version a lookup returns is
// the one its entities are at (report i lists identifier i at version i, so
// a lookup of them all finds exactly list_version of them).
TEST_F(BlocklistStoreTest, LookupsDuringCommitsMatchTheirListVersion) {
  constexpr int kReports = 150;
  std::vector<v1::Identifier> ids;
  for (int i = 1; i <= kReports; ++i) {
    ids.push_back(
        testing::Id(v1::PHONE, "", absl::StrCat("+8432900", 1000 + i)));
  }
  std::vector<std::string> keys;
  for (const v1::Identifier& id : ids) keys.push_back(KeyOf(id));
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int i = 0; i < kReports; ++i) {
      auto result =
          list().ApplyReport(MakeReport("A", absl::StrCat(i), {ids[i]}, T(1)),
                             "police-hn", T(100));
      EXPECT_TRUE(result.ok()) << result.status();
    }
    done = true;
  });
  int lookups = 0;
  uint64_t last = 0;
  while (!done.load() || lookups == 0) {
    ASSERT_OK_AND_ASSIGN(LookupResult found, list().Lookup(keys));
    const auto listed = std::count_if(
        found.entities.begin(), found.entities.end(),
        [](const std::optional<v1::Entity>& e) { return e.has_value(); });
    ASSERT_EQ(static_cast<uint64_t>(listed), found.list_version)
        << "lookup " << lookups;
    for (size_t i = 0; i < found.list_version; ++i) {
      ASSERT_TRUE(found.entities[i].has_value()) << i;
    }
    EXPECT_GE(found.list_version, last);
    last = found.list_version;
    ++lookups;
  }
  writer.join();
  ASSERT_OK_AND_ASSIGN(LookupResult all, list().Lookup(keys));
  EXPECT_EQ(all.list_version, static_cast<uint64_t>(kReports));
}

TEST_F(BlocklistStoreTest, AuditRecordsFormAHashChain) {
  ASSERT_TRUE(list()
                  .ApplyReport(MakeReport("A", "1", {kPhone, kAccount}, T(1)),
                               "police-hn", T(100))
                  .ok());
  ASSERT_TRUE(list()
                  .ApplyReport(MakeReport("A", "2", {kWallet}, T(2)),
                               "police-hn", T(110))
                  .ok());
  // Unchanged and not-found mutations leave no record.
  ASSERT_TRUE(list()
                  .ApplyReport(MakeReport("A", "2", {kWallet}, T(2)),
                               "police-hn", T(115))
                  .ok());
  ASSERT_FALSE(list().Delist(kHandle, "r", "ref", "p", T(1)).ok());
  ASSERT_TRUE(list().Delist(kPhone, "r", "ref", "police-hn", T(120)).ok());
  ASSERT_TRUE(list()
                  .ApplyReport(MakeReport("B", "3", {kPhone, kHandle}, T(3)),
                               "police-hcm", T(130))
                  .ok());
  ASSERT_TRUE(list().Delist(kHandle, "r", "ref", "police-hcm", T(140)).ok());

  const std::vector<v1::AuditRecord> audit = Audit();
  ASSERT_THAT(audit, SizeIs(5));
  ExpectValidChain(audit);
  for (size_t i = 0; i < audit.size(); ++i) {
    EXPECT_EQ(audit[i].list_version(), i + 1);
  }
  EXPECT_THAT(std::vector<std::string>({audit[0].action(), audit[1].action(),
                                        audit[2].action(), audit[3].action(),
                                        audit[4].action()}),
              ElementsAre("REPORT_ACCEPTED", "REPORT_ACCEPTED", "DELISTED",
                          "REPORT_ACCEPTED", "DELISTED"));

  // ReadAudit pages by sequence.
  ASSERT_OK_AND_ASSIGN(std::vector<v1::AuditRecord> middle,
                       list().ReadAudit(2, 2));
  ASSERT_THAT(middle, SizeIs(2));
  EXPECT_THAT(middle[0], EqualsProto(audit[1]));
  EXPECT_THAT(middle[1], EqualsProto(audit[2]));
  ASSERT_OK_AND_ASSIGN(std::vector<v1::AuditRecord> tail,
                       list().ReadAudit(5, 10));
  ASSERT_THAT(tail, SizeIs(1));
  EXPECT_THAT(tail[0], EqualsProto(audit[4]));
  ASSERT_OK_AND_ASSIGN(std::vector<v1::AuditRecord> past,
                       list().ReadAudit(6, 10));
  EXPECT_THAT(past, IsEmpty());
}

TEST_F(BlocklistStoreTest, CloseAndReopenKeepsEverything) {
  const v1::Report r1 = MakeReport("A", "1", {kPhone, kAccount}, T(1));
  ASSERT_TRUE(list().ApplyReport(r1, "police-hn", T(100)).ok());
  ASSERT_TRUE(list()
                  .ApplyReport(MakeReport("B", "2", {kPhone, kWallet}, T(2)),
                               "police-hcm", T(110))
                  .ok());
  ASSERT_TRUE(list().Delist(kAccount, "r", "ref", "police-hn", T(120)).ok());
  const std::vector<std::string> keys = {KeyOf(kPhone), KeyOf(kAccount),
                                         KeyOf(kWallet), KeyOf(kHandle)};
  ASSERT_OK_AND_ASSIGN(LookupResult before, list().Lookup(keys));
  const std::vector<v1::AuditRecord> audit_before = Audit();
  ASSERT_THAT(audit_before, SizeIs(3));

  ASSERT_NO_FATAL_FAILURE(Reopen());

  EXPECT_EQ(list().list_version(), 3u);
  ASSERT_OK_AND_ASSIGN(LookupResult after, list().Lookup(keys));
  EXPECT_EQ(after.list_version, 3u);
  ASSERT_THAT(after.entities, SizeIs(keys.size()));
  for (size_t i = 0; i < keys.size(); ++i) {
    SCOPED_TRACE(i);
    ASSERT_EQ(after.entities[i].has_value(), before.entities[i].has_value());
    if (before.entities[i]) {
      EXPECT_THAT(*after.entities[i], EqualsProto(*before.entities[i]));
    }
  }
  const std::vector<v1::AuditRecord> audit_after = Audit();
  ASSERT_THAT(audit_after, SizeIs(3));
  for (size_t i = 0; i < audit_after.size(); ++i) {
    EXPECT_THAT(audit_after[i], EqualsProto(audit_before[i]));
  }

  // The stored report survived: uploading it again is still a no-op.
  ASSERT_OK_AND_ASSIGN(ApplyReportResult same,
                       list().ApplyReport(r1, "police-hn", T(200)));
  EXPECT_TRUE(same.unchanged);
  EXPECT_EQ(same.list_version, 3u);

  // The next mutation continues the version and the chain.
  ASSERT_OK_AND_ASSIGN(ApplyReportResult next,
                       list().ApplyReport(MakeReport("C", "3", {kHandle}, T(3)),
                                          "police-dn", T(210)));
  EXPECT_EQ(next.list_version, 4u);
  ASSERT_NO_FATAL_FAILURE(Reopen());
  EXPECT_EQ(list().list_version(), 4u);
  ASSERT_TRUE(list().Delist(kHandle, "r", "ref", "police-dn", T(220)).ok());
  EXPECT_EQ(list().list_version(), 5u);

  const std::vector<v1::AuditRecord> audit = Audit();
  ASSERT_THAT(audit, SizeIs(5));
  ExpectValidChain(audit);
  EXPECT_EQ(audit[3].list_version(), 4u);
  EXPECT_EQ(audit[3].report_id(), "3");
  EXPECT_EQ(audit[4].list_version(), 5u);
  EXPECT_EQ(audit[4].action(), "DELISTED");
}

TEST_F(BlocklistStoreTest, FailedApplyReportLeavesNoTrace) {
  ASSERT_NO_FATAL_FAILURE(UseFaultEnv());
  ASSERT_TRUE(list()
                  .ApplyReport(MakeReport("A", "1", {kPhone}, T(1)),
                               "police-hn", T(100))
                  .ok());

  fault_env_.FailWrites(true);
  const v1::Report r2 = MakeReport("B", "2", {kPhone, kAccount}, T(2));
  auto failed = list().ApplyReport(r2, "police-hn", T(110));
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kUnavailable)
      << failed.status();
  EXPECT_EQ(list().list_version(), 1u);
  EXPECT_EQ(Entity(kAccount), std::nullopt);
  EXPECT_THAT(Entity(kPhone)->reports(), SizeIs(1));

  // RocksDB stops accepting writes after a WAL error: close while the fault
  // is still armed, then reopen healthy.
  store_.reset();
  fault_env_.FailWrites(false);
  ASSERT_NO_FATAL_FAILURE(Reopen());

  EXPECT_EQ(list().list_version(), 1u);
  EXPECT_EQ(Entity(kAccount), std::nullopt);
  std::optional<v1::Entity> phone = Entity(kPhone);
  ASSERT_TRUE(phone.has_value());
  EXPECT_THAT(phone->reports(), SizeIs(1));
  EXPECT_THAT(phone->history(), SizeIs(1));
  ASSERT_THAT(Audit(), SizeIs(1));

  // The report was not stored: uploading it again is a real change.
  ASSERT_OK_AND_ASSIGN(ApplyReportResult retry,
                       list().ApplyReport(r2, "police-hn", T(120)));
  EXPECT_FALSE(retry.unchanged);
  EXPECT_THAT(retry.identifiers_added, SizeIs(1));
  EXPECT_EQ(retry.list_version, 2u);
  const std::vector<v1::AuditRecord> audit = Audit();
  ASSERT_THAT(audit, SizeIs(2));
  ExpectValidChain(audit);
}

TEST_F(BlocklistStoreTest, FailedDelistLeavesNoTrace) {
  ASSERT_NO_FATAL_FAILURE(UseFaultEnv());
  ASSERT_TRUE(list()
                  .ApplyReport(MakeReport("A", "1", {kPhone}, T(1)),
                               "police-hn", T(100))
                  .ok());
  const std::optional<v1::Entity> before = Entity(kPhone);

  fault_env_.FailWrites(true);
  auto failed = list().Delist(kPhone, "r", "ref", "police-hn", T(110));
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kUnavailable)
      << failed.status();
  EXPECT_EQ(list().list_version(), 1u);
  EXPECT_THAT(Entity(kPhone), Optional(EqualsProto(*before)));

  store_.reset();
  fault_env_.FailWrites(false);
  ASSERT_NO_FATAL_FAILURE(Reopen());

  EXPECT_EQ(list().list_version(), 1u);
  EXPECT_THAT(Entity(kPhone), Optional(EqualsProto(*before)));
  ASSERT_THAT(Audit(), SizeIs(1));

  ASSERT_OK_AND_ASSIGN(v1::Entity delisted,
                       list().Delist(kPhone, "r", "ref", "police-hn", T(120)));
  EXPECT_EQ(delisted.status(), v1::DELISTED);
  EXPECT_EQ(list().list_version(), 2u);
  const std::vector<v1::AuditRecord> audit = Audit();
  ASSERT_THAT(audit, SizeIs(2));
  ExpectValidChain(audit);
}

TEST_F(BlocklistStoreTest, ReadFaultIsUnavailableNeverNotListed) {
  ASSERT_NO_FATAL_FAILURE(UseFaultEnv());
  ASSERT_TRUE(list()
                  .ApplyReport(MakeReport("A", "1", {kPhone, kAccount}, T(1)),
                               "police-hn", T(100))
                  .ok());
  // Reopening replays the WAL and flushes it to an SST file, so with no block
  // cache every lookup below reads that file.
  ASSERT_NO_FATAL_FAILURE(Reopen());
  ASSERT_TRUE(Entity(kPhone).has_value());

  fault_env_.FailReadsOnThisThread(true);
  auto lookup = list().Lookup({KeyOf(kPhone), KeyOf(kHandle)});
  EXPECT_EQ(lookup.status().code(), absl::StatusCode::kUnavailable)
      << lookup.status();
  auto one = list().GetEntity(KeyOf(kAccount));
  EXPECT_EQ(one.status().code(), absl::StatusCode::kUnavailable)
      << one.status();
  // An identifier that was never listed is answered from the table's bloom
  // filter, in memory since the open, and the list version from memory: no
  // read is made, so none failed, and a filter has no false negatives. (A
  // false positive would read the file, and fail as above.)
  ASSERT_OK_AND_ASSIGN(LookupResult unknown,
                       list().Lookup({KeyOf(kOtherPhone)}));
  EXPECT_EQ(unknown.entities[0], std::nullopt);
  EXPECT_EQ(unknown.list_version, 1u);
  // Mutations that cannot read the current state do not write.
  auto apply = list().ApplyReport(MakeReport("B", "2", {kPhone}, T(2)),
                                  "police-hn", T(110));
  EXPECT_EQ(apply.status().code(), absl::StatusCode::kUnavailable)
      << apply.status();
  auto delist = list().Delist(kPhone, "r", "ref", "police-hn", T(110));
  EXPECT_EQ(delist.status().code(), absl::StatusCode::kUnavailable)
      << delist.status();
  EXPECT_EQ(list().list_version(), 1u);

  fault_env_.FailReadsOnThisThread(false);
  ASSERT_OK_AND_ASSIGN(LookupResult found,
                       list().Lookup({KeyOf(kPhone), KeyOf(kHandle)}));
  EXPECT_EQ(found.list_version, 1u);
  ASSERT_TRUE(found.entities[0].has_value());
  EXPECT_EQ(found.entities[0]->status(), v1::ACTIVE);
  EXPECT_THAT(found.entities[0]->reports(), SizeIs(1));
  EXPECT_EQ(found.entities[1], std::nullopt);
  EXPECT_THAT(Audit(), SizeIs(1));

  // Now the list version (and the handle) are in the memtable while the
  // phone is only in the SST file: a failed entity read must still fail the
  // lookup rather than drop that one entity.
  auto added = list().ApplyReport(MakeReport("C", "3", {kHandle}, T(3)),
                                  "police-hn", T(120));
  ASSERT_TRUE(added.ok()) << added.status();
  fault_env_.FailReadsOnThisThread(true);
  auto partial = list().Lookup({KeyOf(kHandle), KeyOf(kPhone)});
  EXPECT_EQ(partial.status().code(), absl::StatusCode::kUnavailable)
      << partial.status();
  // Reads that need no file still answer.
  auto handle = list().GetEntity(KeyOf(kHandle));
  ASSERT_TRUE(handle.ok()) << handle.status();
  ASSERT_TRUE(handle->has_value());
  EXPECT_EQ((*handle)->status(), v1::ACTIVE);
  fault_env_.FailReadsOnThisThread(false);

  ASSERT_OK_AND_ASSIGN(LookupResult healthy,
                       list().Lookup({KeyOf(kHandle), KeyOf(kPhone)}));
  EXPECT_EQ(healthy.list_version, 2u);
  EXPECT_TRUE(healthy.entities[0].has_value());
  EXPECT_TRUE(healthy.entities[1].has_value());
}

}  // namespace
}  // namespace fraudgate::store
