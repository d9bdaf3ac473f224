// Store::ResumeWrites against a real RocksDB through the fault-injecting Env:
// a full disk (NoSpace) stops writes until a ResumeWrites after space
// returned, which alone starts them again (RocksDB's own retry is off), with
// nothing acknowledged lost and nothing refused stored; a broken disk (EIO)
// is never resumed, only reopened.
#include <optional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "proto/proto_time.h"
#include "store/store.h"
#include "tests/testing/matchers.h"
#include "tests/testing/store_fixture.h"

namespace fraudgate::store {
namespace {

using ::testing::ElementsAre;
using testing::FaultEnv;
using ::testing::HasSubstr;
using testing::kAccount;
using testing::KeyOf;
using testing::kPhone;
using testing::MakeReport;
using ::testing::SizeIs;
using testing::T;

class ResumeWritesTest : public testing::BlocklistStoreFixture {
 protected:
  void SetUp() override {
    hits_outbox_ = true;  // a cluster node's store: its outbox too
    BlocklistStoreFixture::SetUp();
    ASSERT_NO_FATAL_FAILURE(UseFaultEnv());
  }

  // Records a screening of `transfer_id`; its hit id, or the error.
  absl::StatusOr<std::string> Screen(const std::string& transfer_id) {
    v1::HitRecord record;
    v1::Hit* hit = record.mutable_hit();
    hit->set_hit_id(store_->hits().NewHitId(T(10)));
    hit->set_caller("bank/vcb");
    hit->set_transfer_id(transfer_id);
    *hit->mutable_screened_at() = ToProtoTime(T(10));
    auto put = store_->hits().PutIfAbsent(&record, {KeyOf(kAccount)});
    if (!put.ok()) return put.status();
    EXPECT_EQ(*put, std::nullopt) << transfer_id << " was screened before";
    return hit->hit_id();
  }

  absl::Status Upload(const std::string& report_id, const v1::Identifier& id) {
    return list()
        .ApplyReport(MakeReport("PA05", report_id, {id}, T(1)), "police/hn",
                     T(100))
        .status();
  }
};

TEST_F(ResumeWritesTest, AFullDiskResumesOnceSpaceReturns) {
  ASSERT_OK(Upload("BEFORE", kPhone));
  ASSERT_OK_AND_ASSIGN(const std::string before, Screen("before"));
  EXPECT_EQ(store_->ResumeWrites(), absl::OkStatus());  // nothing to resume

  fault_env_.SetWriteFault(FaultEnv::WriteFault::kNoSpace);
  EXPECT_EQ(Upload("DURING", kAccount).code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(Screen("during").status().code(), absl::StatusCode::kUnavailable);
  const absl::Status stopped = store_->WriteHealth();
  EXPECT_EQ(stopped.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(stopped.message(),
              HasSubstr("writes stopped until they can resume: IO error: No "
                        "space left on device"));
  // While the disk is full, resuming fails and writes stay stopped.
  EXPECT_EQ(store_->ResumeWrites().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(Screen("during").status().code(), absl::StatusCode::kUnavailable);
  // Reads still answer.
  EXPECT_TRUE(Entity(kPhone).has_value());

  // Space returns: one call resumes (RocksDB's own retry would have answered
  // it Busy), and the writers write again.
  fault_env_.SetWriteFault(FaultEnv::WriteFault::kNone);
  EXPECT_FALSE(store_->WriteHealth().ok());
  ASSERT_OK(store_->ResumeWrites());
  EXPECT_EQ(store_->WriteHealth(), absl::OkStatus());
  ASSERT_OK_AND_ASSIGN(const std::string during, Screen("during"));
  ASSERT_OK_AND_ASSIGN(
      ApplyReportResult again,
      list().ApplyReport(MakeReport("PA05", "DURING", {kAccount}, T(1)),
                         "police/hn", T(100)));
  EXPECT_FALSE(again.unchanged);  // the refused upload stored nothing
  EXPECT_EQ(again.list_version, 2u);

  // All of it, and only it, is there after a reopen.
  ASSERT_NO_FATAL_FAILURE(Reopen());
  for (const std::string& hit_id : {before, during}) {
    ASSERT_OK_AND_ASSIGN(auto hit, store_->hits().Get(hit_id));
    EXPECT_TRUE(hit.has_value()) << hit_id;
  }
  ASSERT_OK_AND_ASSIGN(auto outbox, store_->hits().ReadOutbox(10));
  std::vector<std::string> published;
  for (const HitStore::OutboxEntry& entry : outbox) {
    ASSERT_TRUE(entry.record.has_value());
    published.push_back(entry.record->hit().transfer_id());
  }
  EXPECT_THAT(published, ElementsAre("before", "during"));
  EXPECT_TRUE(Entity(kAccount).has_value());
  ASSERT_OK_AND_ASSIGN(AuditCheck audit, list().VerifyAudit());
  EXPECT_TRUE(audit.ok) << audit.problem;
  EXPECT_EQ(audit.records, 2u);
  EXPECT_EQ(audit.list_version, 2u);
}

TEST_F(ResumeWritesTest, ABrokenDiskIsNeverResumedOnlyReopened) {
  ASSERT_OK(Upload("BEFORE", kPhone));
  fault_env_.FailWrites(true);
  EXPECT_EQ(Screen("during").status().code(), absl::StatusCode::kUnavailable);
  fault_env_.FailWrites(false);
  const absl::Status stopped = store_->ResumeWrites();
  EXPECT_EQ(stopped.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(stopped.message(),
              HasSubstr("writes stopped until the store is reopened"));
  EXPECT_EQ(Upload("DURING", kAccount).code(), absl::StatusCode::kUnavailable);

  ASSERT_NO_FATAL_FAILURE(Reopen());
  EXPECT_EQ(store_->WriteHealth(), absl::OkStatus());
  ASSERT_OK(Screen("during").status());
  ASSERT_OK(Upload("DURING", kAccount));
  EXPECT_THAT(Audit(), SizeIs(2));
}

}  // namespace
}  // namespace fraudgate::store
