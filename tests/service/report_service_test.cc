// ReportService against a real server on port 0 over a real RocksDB.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/proto_printer.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_server.h"

namespace fraudgate {
namespace {

using ::testing::HasSubstr;
using testing::MakeIdentifier;
using testing::MakeReport;
using ::testing::SizeIs;

class ReportServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = testing::TestServer::Start(dir_.path());
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }

  grpc::Status Get(const v1::Identifier& id, v1::Entity* entity) {
    v1::GetEntityRequest request;
    *request.mutable_identifier() = id;
    grpc::ClientContext context;
    return server_->reports().GetEntity(&context, request, entity);
  }

  testing::TempDir dir_;
  std::unique_ptr<testing::TestServer> server_;
};

TEST_F(ReportServiceTest, UploadStoresEveryIdentifierWithProvenance) {
  auto summary = testing::Upload(
      server_->reports(),
      {MakeReport("KT-1", "PA05-CA Kon Tum", v1::EXTORTION_DEEPFAKE,
                  v1::CONFIRMED,
                  {MakeIdentifier(v1::BANK_ACCOUNT, "VCB", "0071 0012 34567"),
                   MakeIdentifier(v1::PHONE, "", "0162 912 3456")})});
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->reports_accepted(), 1);
  EXPECT_EQ(summary->identifiers_added(), 2);
  EXPECT_EQ(summary->list_version(), 1u);

  v1::Entity entity;
  ASSERT_TRUE(Get(MakeIdentifier(v1::PHONE, "", "+84329123456"), &entity).ok());
  EXPECT_EQ(entity.status(), v1::ACTIVE);
  ASSERT_THAT(entity.reports(), SizeIs(1));
  EXPECT_EQ(entity.reports(0).agency(), "PA05-CA Kon Tum");
  EXPECT_EQ(entity.reports(0).uploaded_by(), "admin/insecure");
  ASSERT_THAT(entity.linked(), SizeIs(1));
  EXPECT_EQ(entity.linked(0).issuer(), "970436");
  EXPECT_EQ(entity.linked(0).value(), "0071001234567");
  ASSERT_THAT(entity.history(), SizeIs(1));
  EXPECT_EQ(entity.history(0).action(), "REPORTED");
}

TEST_F(ReportServiceTest, ReuploadIsUnchangedAndKeepsVersion) {
  const auto report = MakeReport("R", "A", v1::OTHER, v1::SUSPECTED,
                                 {MakeIdentifier(v1::PHONE, "", "0912345678")});
  ASSERT_TRUE(testing::Upload(server_->reports(), {report}).ok());
  auto again = testing::Upload(server_->reports(), {report});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->reports_accepted(), 0);
  EXPECT_EQ(again->reports_unchanged(), 1);
  EXPECT_EQ(again->identifiers_added(), 0);
  EXPECT_EQ(again->list_version(), 1u);
}

TEST_F(ReportServiceTest, InvalidReportIsRejectedWholeAndOthersGoOn) {
  auto summary = testing::Upload(
      server_->reports(),
      {MakeReport("OK-1", "A", v1::OTHER, v1::SUSPECTED,
                  {MakeIdentifier(v1::PHONE, "", "0912345678")}),
       MakeReport("BAD-1", "A", v1::OTHER, v1::SUSPECTED,
                  {MakeIdentifier(v1::PHONE, "", "0987654321"),
                   MakeIdentifier(v1::BANK_ACCOUNT, "NO SUCH BANK", "123456")}),
       MakeReport("", "A", v1::OTHER, v1::SUSPECTED,
                  {MakeIdentifier(v1::PHONE, "", "0987654322")}),
       MakeReport("BAD-3", "A", v1::CATEGORY_UNSPECIFIED, v1::SUSPECTED,
                  {MakeIdentifier(v1::PHONE, "", "0987654323")}),
       MakeReport("BAD-4", "A", v1::OTHER, v1::SUSPECTED, {}),
       MakeReport(
           "OK-2", "A", v1::OTHER, v1::CONFIRMED,
           {MakeIdentifier(v1::CHAT_HANDLE, "TELEGRAM", "@scam_boss")})});
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->reports_accepted(), 2);
  ASSERT_THAT(summary->rejected(), SizeIs(4));
  EXPECT_EQ(summary->rejected(0).index(), 1);
  EXPECT_EQ(summary->rejected(0).report_id(), "BAD-1");
  EXPECT_EQ(summary->rejected(0).field(), "identifiers[1].issuer");
  EXPECT_THAT(summary->rejected(0).message(), HasSubstr("unknown bank"));
  EXPECT_EQ(summary->rejected(1).field(), "report_id");
  EXPECT_EQ(summary->rejected(2).field(), "category");
  EXPECT_EQ(summary->rejected(3).field(), "identifiers");
  // Atomic: the valid identifier of the rejected report was not stored.
  v1::Entity entity;
  EXPECT_EQ(
      Get(MakeIdentifier(v1::PHONE, "", "0987654321"), &entity).error_code(),
      grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(Get(MakeIdentifier(v1::CHAT_HANDLE, "TELEGRAM", "t.me/Scam_Boss"),
                  &entity)
                  .ok());
}

TEST_F(ReportServiceTest, GetEntityErrors) {
  v1::Entity entity;
  EXPECT_EQ(
      Get(MakeIdentifier(v1::PHONE, "", "0912345678"), &entity).error_code(),
      grpc::StatusCode::NOT_FOUND);
  grpc::Status bad = Get(MakeIdentifier(v1::PHONE, "", "12"), &entity);
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(bad.error_message(), ::testing::StartsWith("identifier.value:"));
}

TEST_F(ReportServiceTest,
       DelistRequiresReasonAndReferenceAndNewReportReactivates) {
  const v1::Identifier phone = MakeIdentifier(v1::PHONE, "", "0912345678");
  ASSERT_TRUE(testing::Upload(
                  server_->reports(),
                  {MakeReport("R1", "A", v1::OTHER, v1::SUSPECTED, {phone})})
                  .ok());
  v1::DelistEntityRequest request;
  *request.mutable_identifier() = phone;
  v1::Entity entity;
  {
    grpc::ClientContext context;
    grpc::Status s =
        server_->reports().DelistEntity(&context, request, &entity);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(s.error_message(), ::testing::StartsWith("reason:"));
  }
  request.set_reason("number belongs to the victim");
  {
    grpc::ClientContext context;
    grpc::Status s =
        server_->reports().DelistEntity(&context, request, &entity);
    EXPECT_THAT(s.error_message(), ::testing::StartsWith("reference:"));
  }
  request.set_reference("CV 55/PA05");
  {
    grpc::ClientContext context;
    ASSERT_TRUE(
        server_->reports().DelistEntity(&context, request, &entity).ok());
  }
  EXPECT_EQ(entity.status(), v1::DELISTED);
  EXPECT_EQ(entity.history(1).action(), "DELISTED");
  EXPECT_THAT(entity.history(1).reason(), HasSubstr("CV 55/PA05"));

  auto summary = testing::Upload(
      server_->reports(),
      {MakeReport("R2", "B", v1::EXTORTION_OTHER, v1::CONFIRMED, {phone})});
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->identifiers_added(), 1);
  ASSERT_TRUE(Get(phone, &entity).ok());
  EXPECT_EQ(entity.status(), v1::ACTIVE);
  EXPECT_THAT(entity.reports(), SizeIs(2));
}

TEST_F(ReportServiceTest, ExpiredReportsMakeTheEntityExpired) {
  auto report = MakeReport("OLD", "A", v1::OTHER, v1::SUSPECTED,
                           {MakeIdentifier(v1::PHONE, "", "0912345678")});
  report.mutable_expires_at()->set_seconds(report.reported_at().seconds() +
                                           3600);
  ASSERT_TRUE(testing::Upload(server_->reports(), {report}).ok());
  v1::Entity entity;
  ASSERT_TRUE(Get(MakeIdentifier(v1::PHONE, "", "0912345678"), &entity).ok());
  EXPECT_EQ(entity.status(), v1::EXPIRED);
}

TEST_F(ReportServiceTest, ReportValidation) {
  auto future = MakeReport("F", "A", v1::OTHER, v1::SUSPECTED,
                           {MakeIdentifier(v1::PHONE, "", "0912345678")});
  future.mutable_reported_at()->set_seconds(4102444800);  // 2100
  auto negative = future;
  negative.set_report_id("N");
  negative.mutable_reported_at()->set_seconds(1700000000);
  negative.set_victim_count(-1);
  auto summary = testing::Upload(server_->reports(), {future, negative});
  ASSERT_TRUE(summary.ok());
  ASSERT_THAT(summary->rejected(), SizeIs(2));
  EXPECT_EQ(summary->rejected(0).field(), "reported_at");
  EXPECT_EQ(summary->rejected(1).field(), "victim_count");
  EXPECT_EQ(summary->list_version(), 0u);
}

}  // namespace
}  // namespace fraudgate
