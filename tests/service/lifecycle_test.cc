// The lifecycle of a listed identifier through the real services, with an
// injectable clock: ACTIVE -> EXPIRED (at screening time) -> ACTIVE (new
// report); ACTIVE -> DELISTED -> ACTIVE; report withdrawn -> DELISTED or
// still ACTIVE through another report.
#include <atomic>

#include "absl/time/civil_time.h"
#include "core/text.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "proto/proto_time.h"
#include "tests/testing/proto_printer.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_server.h"

namespace fraudgate {
namespace {

using ::testing::HasSubstr;
using testing::MakeIdentifier;
using testing::MakeReport;
using ::testing::SizeIs;

// MakeReport dates reports 2026-10-01 +07:00; the clock starts a day later.
const absl::Time kReported = absl::FromCivil(
    absl::CivilSecond(2026, 10, 1, 0, 0, 0), absl::FixedTimeZone(7 * 3600));
const absl::Time kStart = kReported + absl::Hours(24);

class LifecycleTest : public ::testing::Test {
 protected:
  void SetUp() override { Start({}); }

  void Start(service::ReportOptions reports) {
    server_.reset();
    service::ServerOptions options;
    options.reports = std::move(reports);
    options.clock = [this] { return kStart + absl::Hours(hours_.load()); };
    auto server = testing::TestServer::Start(dir_.path(), options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }

  v1::Entity Entity(const v1::Identifier& id) {
    v1::GetEntityRequest request;
    *request.mutable_identifier() = id;
    v1::Entity entity;
    grpc::ClientContext context;
    grpc::Status s = server_->reports().GetEntity(&context, request, &entity);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return entity;
  }

  v1::Decision Screen(const std::string& phone) {
    v1::ScreenTransferRequest r;
    r.set_transfer_id(core::StrCat("t", ++screenings_));
    r.mutable_beneficiary()->set_phone(phone);
    v1::ScreenTransferResponse response;
    grpc::ClientContext context;
    grpc::Status s =
        server_->screening().ScreenTransfer(&context, r, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return response.decision();
  }

  grpc::Status Withdraw(const std::string& agency, const std::string& id,
                        v1::WithdrawReportResponse* response,
                        const std::string& reason = "sai thông tin",
                        const std::string& reference = "CV-77/PA05") {
    v1::WithdrawReportRequest request;
    request.set_agency(agency);
    request.set_report_id(id);
    request.set_reason(reason);
    request.set_reference(reference);
    grpc::ClientContext context;
    return server_->reports().WithdrawReport(&context, request, response);
  }

  std::atomic<int> hours_{0};
  int screenings_ = 0;
  testing::TempDir dir_;
  std::unique_ptr<testing::TestServer> server_;
};

const v1::Identifier kPhone = MakeIdentifier(v1::PHONE, "", "0912345678");
const v1::Identifier kOther = MakeIdentifier(v1::PHONE, "", "0987654321");

TEST_F(LifecycleTest, ReportExpiryMakesTheIdentifierExpiredAtScreeningTime) {
  auto report =
      MakeReport("R1", "A", v1::EXTORTION_DEEPFAKE, v1::CONFIRMED, {kPhone});
  *report.mutable_expires_at() = ToProtoTime(kStart + absl::Hours(10));
  ASSERT_TRUE(testing::Upload(server_->reports(), {report}).ok());
  EXPECT_EQ(Entity(kPhone).status(), v1::ACTIVE);
  EXPECT_EQ(Screen("0912345678"), v1::DECISION_HOLD);  // phone CONFIRMED: 80

  hours_ = 10;  // exactly at expiry: expired
  EXPECT_EQ(Entity(kPhone).status(), v1::EXPIRED);
  EXPECT_EQ(Screen("0912345678"), v1::DECISION_ALLOW);

  // A new report listing it again makes it ACTIVE.
  ASSERT_TRUE(testing::Upload(server_->reports(),
                              {MakeReport("R2", "B", v1::EXTORTION_OTHER,
                                          v1::CONFIRMED, {kPhone})})
                  .ok());
  EXPECT_EQ(Entity(kPhone).status(), v1::ACTIVE);
  EXPECT_EQ(Screen("0912345678"), v1::DECISION_HOLD);
}

TEST_F(LifecycleTest, DefaultLifetimePerCategoryApplies) {
  service::ReportOptions options;
  options.default_lifetime[v1::SHOPPING_SCAM] = absl::Hours(24 * 30);
  Start(options);
  ASSERT_TRUE(testing::Upload(server_->reports(),
                              {MakeReport("S1", "A", v1::SHOPPING_SCAM,
                                          v1::CONFIRMED, {kPhone}),
                               MakeReport("D1", "A", v1::EXTORTION_DEEPFAKE,
                                          v1::CONFIRMED, {kOther})})
                  .ok());
  v1::Entity shop = Entity(kPhone);
  ASSERT_THAT(shop.reports(), SizeIs(1));
  EXPECT_EQ(FromProtoTime(shop.reports(0).expires_at()),
            kReported + absl::Hours(24 * 30));
  EXPECT_FALSE(Entity(kOther).reports(0).has_expires_at());

  hours_ = 24 * 29;  // 30 days after the report date
  EXPECT_EQ(Entity(kPhone).status(), v1::EXPIRED);
  EXPECT_EQ(Screen("0912345678"), v1::DECISION_ALLOW);
  EXPECT_EQ(Entity(kOther).status(), v1::ACTIVE);
}

TEST_F(LifecycleTest, WithdrawDelistsIdentifiersLeftWithoutAReport) {
  ASSERT_TRUE(testing::Upload(server_->reports(),
                              {MakeReport("W1", "A", v1::EXTORTION_DEEPFAKE,
                                          v1::CONFIRMED, {kPhone, kOther}),
                               MakeReport("K1", "B", v1::EXTORTION_OTHER,
                                          v1::SUSPECTED, {kOther})})
                  .ok());
  v1::WithdrawReportResponse response;
  ASSERT_TRUE(Withdraw("A", "W1", &response).ok());
  ASSERT_THAT(response.delisted(), SizeIs(1));
  EXPECT_EQ(response.delisted(0).value(), "+84912345678");
  ASSERT_THAT(response.still_listed(), SizeIs(1));
  EXPECT_EQ(response.still_listed(0).value(), "+84987654321");
  EXPECT_FALSE(response.unchanged());

  v1::Entity phone = Entity(kPhone);
  EXPECT_EQ(phone.status(), v1::DELISTED);
  ASSERT_THAT(phone.reports(), SizeIs(1));  // kept for the record
  EXPECT_TRUE(phone.reports(0).withdrawn());
  EXPECT_EQ(phone.history(phone.history_size() - 1).action(), "WITHDRAWN");
  EXPECT_THAT(phone.history(phone.history_size() - 1).reason(),
              HasSubstr("CV-77/PA05"));
  EXPECT_EQ(Screen("0912345678"), v1::DECISION_ALLOW);
  // The other identifier now scores only on its remaining SUSPECTED report.
  EXPECT_EQ(Screen("0987654321"), v1::DECISION_WARN);  // 55

  v1::WithdrawReportResponse again;
  ASSERT_TRUE(Withdraw("A", "W1", &again).ok());
  EXPECT_TRUE(again.unchanged());
  EXPECT_EQ(again.list_version(), response.list_version());

  // The withdrawn report cannot come back under the same id...
  auto summary = testing::Upload(
      server_->reports(),
      {MakeReport("W1", "A", v1::EXTORTION_DEEPFAKE, v1::CONFIRMED, {kPhone})});
  ASSERT_TRUE(summary.ok());
  ASSERT_THAT(summary->rejected(), SizeIs(1));
  EXPECT_EQ(summary->rejected(0).field(), "report_id");
  EXPECT_THAT(summary->rejected(0).message(), HasSubstr("withdrawn"));
  // ...but a new report re-activates the identifier.
  ASSERT_TRUE(testing::Upload(server_->reports(),
                              {MakeReport("W2", "A", v1::EXTORTION_DEEPFAKE,
                                          v1::CONFIRMED, {kPhone})})
                  .ok());
  EXPECT_EQ(Entity(kPhone).status(), v1::ACTIVE);
}

TEST_F(LifecycleTest, WithdrawErrors) {
  v1::WithdrawReportResponse response;
  EXPECT_EQ(Withdraw("A", "NOPE", &response).error_code(),
            grpc::StatusCode::NOT_FOUND);
  grpc::Status s = Withdraw("A", "X", &response, "");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), ::testing::StartsWith("reason:"));
  s = Withdraw("A", "X", &response, "why", "");
  EXPECT_THAT(s.error_message(), ::testing::StartsWith("reference:"));
  s = Withdraw("", "X", &response);
  EXPECT_THAT(s.error_message(), ::testing::StartsWith("agency:"));
}

TEST_F(LifecycleTest, DelistThenNewReportReactivates) {
  ASSERT_TRUE(testing::Upload(
                  server_->reports(),
                  {MakeReport("R1", "A", v1::OTHER, v1::CONFIRMED, {kPhone})})
                  .ok());
  v1::DelistEntityRequest delist;
  *delist.mutable_identifier() = kPhone;
  delist.set_reason("nhầm số");
  delist.set_reference("CV-1");
  v1::Entity entity;
  grpc::ClientContext context;
  ASSERT_TRUE(server_->reports().DelistEntity(&context, delist, &entity).ok());
  EXPECT_EQ(Screen("0912345678"), v1::DECISION_ALLOW);
  // Re-uploading the same report does not undo a delisting...
  ASSERT_TRUE(testing::Upload(
                  server_->reports(),
                  {MakeReport("R1", "A", v1::OTHER, v1::CONFIRMED, {kPhone})})
                  .ok());
  EXPECT_EQ(Entity(kPhone).status(), v1::DELISTED);
  // ...a new report does.
  ASSERT_TRUE(testing::Upload(
                  server_->reports(),
                  {MakeReport("R9", "A", v1::OTHER, v1::CONFIRMED, {kPhone})})
                  .ok());
  EXPECT_EQ(Entity(kPhone).status(), v1::ACTIVE);
  // Both reports count again: 80 + 5 for the second report.
  EXPECT_EQ(Screen("0912345678"), v1::DECISION_BLOCK);
}

TEST_F(LifecycleTest, UploadsAreGroupCommittedAndReuploadChangesNothing) {
  service::ReportOptions options;
  options.max_batch_reports = 4;
  Start(options);
  std::vector<v1::Report> reports;
  for (int i = 0; i < 10; ++i) {
    reports.push_back(MakeReport(
        core::StrCat("G", i), "A", v1::OTHER, v1::SUSPECTED,
        {MakeIdentifier(v1::PHONE, "", core::StrCat("091234", 5670 + i))}));
  }
  auto first = testing::Upload(server_->reports(), reports);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->reports_accepted(), 10);
  EXPECT_EQ(first->identifiers_added(), 10);
  EXPECT_EQ(first->list_version(), 3u);  // batches of 4, 4 and 2
  auto second = testing::Upload(server_->reports(), reports);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->reports_unchanged(), 10);
  EXPECT_EQ(second->list_version(), 3u);
}

}  // namespace
}  // namespace fraudgate
