// BlocklistStore::Apply: every blocklist mutation as one event, applied on a
// single node (list version + 1) or by a cluster node at its FRAUDGATE_LIST
// stream sequence (list version = sequence, stream position kept in the same
// batch), with the same records either way.
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "fraudgate/v1/fraudgate.pb.h"
#include "fraudgate/v1/storage.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "proto/proto_time.h"
#include "store/blocklist_store.h"
#include "store/bulk_load.h"
#include "store/store.h"
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
using ::fraudgate::testing::T;

v1::ListEvent Event(const std::string& actor, absl::Time at) {
  v1::ListEvent event;
  event.set_actor(actor);
  *event.mutable_at() = ToProtoTime(at);
  return event;
}

v1::ListEvent Upload(std::vector<v1::Report> reports, absl::Time at) {
  v1::ListEvent event = Event("police/a05", at);
  for (auto& r : reports) *event.mutable_upload()->add_reports() = r;
  return event;
}

v1::ListEvent Delist(const v1::Identifier& id, absl::Time at) {
  v1::ListEvent event = Event("police/a05", at);
  *event.mutable_delist()->mutable_identifier() = id;
  event.mutable_delist()->set_reason("paid back");
  event.mutable_delist()->set_reference("CV-9");
  return event;
}

v1::ListEvent Withdraw(const std::string& report_id, absl::Time at) {
  v1::ListEvent event = Event("police/a05", at);
  event.mutable_withdraw()->set_agency("A05");
  event.mutable_withdraw()->set_report_id(report_id);
  event.mutable_withdraw()->set_reason("mistaken");
  event.mutable_withdraw()->set_reference("CV-10");
  return event;
}

// Events touching every path: new reports, an unchanged re-upload, a
// delisting, a repeated one (no change), a withdrawal, a re-activation, and
// refusals of an unknown identifier and report.
std::vector<v1::ListEvent> History() {
  return {
      Upload({MakeReport("A05", "R-1", {kPhone, kAccount}, T(1)),
              MakeReport("A05", "R-2", {kWallet}, T(2))},
             T(10)),
      Upload({MakeReport("A05", "R-1", {kPhone, kAccount}, T(1))}, T(20)),
      Delist(kPhone, T(30)),
      Delist(kPhone, T(40)),
      Withdraw("R-2", T(50)),
      Upload({MakeReport("A05", "R-3", {kPhone, kHandle}, T(3))}, T(60)),
      Delist(kOtherPhone, T(70)),
      Withdraw("R-404", T(80)),
  };
}

class ListEventTest : public BlocklistStoreFixture {
 protected:
  // A second store, in its own directory, for a cluster node.
  void OpenNode() {
    StoreOptions options;
    options.path = dir_.File("node");
    ASSERT_OK_AND_ASSIGN(node_, Store::Open(options));
  }
  BlocklistStore& node() { return node_->blocklist(); }

  std::unique_ptr<Store> node_;
};

// An audit record without its list version, which differs by design, and
// the hash chained from the previous record's bytes, which hold it.
std::string WithoutVersion(v1::AuditRecord record) {
  record.clear_list_version();
  record.clear_prev_sha256();
  return record.SerializeAsString();
}

TEST_F(ListEventTest, AClusterNodeBuildsTheSameRecordsAtStreamSequences) {
  ASSERT_NO_FATAL_FAILURE(OpenNode());
  const std::vector<v1::ListEvent> events = History();
  for (size_t i = 0; i < events.size(); ++i) {
    SCOPED_TRACE(i);
    // Stream sequences with gaps, as when other events are skipped.
    const uint64_t sequence = 3 * i + 2;
    ASSERT_OK_AND_ASSIGN(EventResult single, list().Apply(events[i]));
    ASSERT_OK_AND_ASSIGN(EventResult cluster,
                         node().Apply(events[i], sequence));
    EXPECT_EQ(single.status.code(), cluster.status.code());
    EXPECT_EQ(single.status.message(), cluster.status.message());
    ASSERT_EQ(single.reports.size(), cluster.reports.size());
    for (size_t r = 0; r < single.reports.size(); ++r) {
      EXPECT_EQ(single.reports[r].unchanged, cluster.reports[r].unchanged);
      EXPECT_EQ(single.reports[r].identifiers_added.size(),
                cluster.reports[r].identifiers_added.size());
    }
    EXPECT_EQ(single.withdraw.delisted.size(),
              cluster.withdraw.delisted.size());
    EXPECT_EQ(single.entity.SerializeAsString(),
              cluster.entity.SerializeAsString());
    // The list version is the stream sequence, changed or not.
    EXPECT_EQ(cluster.list_version, sequence);
    EXPECT_EQ(node().list_version(), sequence);
    EXPECT_EQ(node().stream_position(), sequence);
    EXPECT_EQ(list().stream_position(), 0u);
  }
  EXPECT_EQ(list().list_version(), 4u);  // the four events that changed it

  for (const v1::Identifier& id : {kPhone, kAccount, kWallet, kHandle}) {
    ASSERT_OK_AND_ASSIGN(auto a, list().GetEntity(KeyOf(id)));
    ASSERT_OK_AND_ASSIGN(auto b, node().GetEntity(KeyOf(id)));
    ASSERT_TRUE(a.has_value() && b.has_value()) << KeyOf(id);
    EXPECT_EQ(a->SerializeAsString(), b->SerializeAsString()) << KeyOf(id);
  }
  ASSERT_OK_AND_ASSIGN(auto a, list().ReadAudit(1, 100));
  ASSERT_OK_AND_ASSIGN(auto b, node().ReadAudit(1, 100));
  ASSERT_EQ(a.size(), 5u);  // delist, withdraw, R-3
  ASSERT_EQ(b.size(), a.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(WithoutVersion(a[i]), WithoutVersion(b[i])) << i;
  }
  // The cluster node's records carry stream sequences as list versions.
  EXPECT_EQ(b[0].list_version(), 2u);
  EXPECT_EQ(b[2].list_version(), 8u);
  EXPECT_EQ(b[3].list_version(), 14u);
  EXPECT_EQ(b[4].list_version(), 17u);
  ASSERT_OK_AND_ASSIGN(AuditCheck check, node().VerifyAudit());
  EXPECT_TRUE(check.ok) << check.problem;
  EXPECT_EQ(check.list_version, 23u);  // the last event's sequence
}

TEST_F(ListEventTest, PositionAndVersionSurviveAReopen) {
  ASSERT_NO_FATAL_FAILURE(OpenNode());
  const std::vector<v1::ListEvent> events = History();
  ASSERT_OK(node().Apply(events[0], 5));
  ASSERT_OK(node().Apply(events[1], 6));  // unchanged: position only
  node_.reset();
  ASSERT_NO_FATAL_FAILURE(OpenNode());
  EXPECT_EQ(node().stream_position(), 6u);
  EXPECT_EQ(node().list_version(), 6u);
  ASSERT_OK_AND_ASSIGN(AuditCheck check, node().VerifyAudit());
  EXPECT_TRUE(check.ok) << check.problem;
}

TEST_F(ListEventTest, RefusesEventsOutOfPlaceWritingNothing) {
  ASSERT_NO_FATAL_FAILURE(OpenNode());
  const std::vector<v1::ListEvent> events = History();
  ASSERT_OK(node().Apply(events[0], 5));
  const auto entity_before = node().GetEntity(KeyOf(kPhone));
  ASSERT_TRUE(entity_before.ok());

  // An event at or before the stream position.
  for (uint64_t sequence : {5u, 4u}) {
    auto again = node().Apply(events[2], sequence);
    EXPECT_EQ(again.status().code(), absl::StatusCode::kFailedPrecondition);
  }
  // A single-node write to a cluster node's store.
  auto local = node().Apply(events[2]);
  EXPECT_EQ(local.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(local.status().message()),
              ::testing::HasSubstr("FRAUDGATE_LIST"));
  // A store whose list was written outside a cluster cannot join one.
  ASSERT_OK(list().Apply(events[0]));
  auto joined = list().Apply(events[2], 7);
  EXPECT_EQ(joined.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(list().stream_position(), 0u);
  // An event whose mutation this build does not know.
  auto empty = node().Apply(Event("police/a05", T(1)), 9);
  EXPECT_EQ(empty.status().code(), absl::StatusCode::kInvalidArgument);

  EXPECT_EQ(node().stream_position(), 5u);
  EXPECT_EQ(node().list_version(), 5u);
  const auto entity_after = node().GetEntity(KeyOf(kPhone));
  ASSERT_TRUE(entity_after.ok());
  EXPECT_EQ((*entity_after)->SerializeAsString(),
            (*entity_before)->SerializeAsString());
}

// A failed write moves neither the position nor the version, so the event
// is applied again.
TEST_F(ListEventTest, AFailedCommitLeavesThePosition) {
  ASSERT_NO_FATAL_FAILURE(UseFaultEnv());
  const std::vector<v1::ListEvent> events = History();
  ASSERT_OK(list().Apply(events[0], 1));
  fault_env_.FailWrites(true);
  EXPECT_EQ(list().Apply(events[2], 2).status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(list().Apply(events[1], 2).status().code(),  // position only
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(list().stream_position(), 1u);
  EXPECT_EQ(list().list_version(), 1u);
  store_.reset();
  fault_env_.FailWrites(false);
  ASSERT_NO_FATAL_FAILURE(Reopen());
  EXPECT_EQ(list().stream_position(), 1u);
  ASSERT_OK_AND_ASSIGN(EventResult result, list().Apply(events[2], 2));
  EXPECT_EQ(result.entity.status(), v1::DELISTED);
  EXPECT_EQ(list().list_version(), 2u);
}

TEST_F(ListEventTest, OfflineImportIntoAClusterNodeIsRefused) {
  ASSERT_OK(list().Apply(History()[0], 1));
  auto load = BulkLoad::Start(&list(), "police/a05", T(1), dir_.File("work"));
  EXPECT_EQ(load.status().code(), absl::StatusCode::kFailedPrecondition);
  // The store's writer lock was given back.
  ASSERT_OK(list().Apply(History()[2], 2));
}

}  // namespace
}  // namespace fraudgate::store
