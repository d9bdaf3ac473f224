// No partner and no bad input may stop bank screening (issue 20), against a
// real server on port 0 over a real RocksDB: every Timestamp a request
// carries is checked (INVALID_ARGUMENT naming the field), so a malformed one
// can no longer leave an upload unfinished holding its place in flight; and
// idle upload streams from one police caller are capped, end when idle, and
// never take screening's places.
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "core/text.h"
#include "gmock/gmock.h"
#include "grpcpp/generic/generic_stub.h"
#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_server.h"

namespace fraudgate {
namespace {

using ::testing::HasSubstr;
using testing::MakeIdentifier;
using testing::MakeReport;
using ::testing::SizeIs;

// 0001-01-01T00:00:00Z, the first second a Timestamp holds.
constexpr int64_t kYearOne = -62'135'596'800;

google::protobuf::Timestamp Ts(int64_t seconds, int32_t nanos = 0) {
  google::protobuf::Timestamp t;
  t.set_seconds(seconds);
  t.set_nanos(nanos);
  return t;
}

template <typename T>
void SetDeadline(T* context, std::chrono::seconds timeout) {
  context->set_deadline(std::chrono::system_clock::now() + timeout);
}

v1::Report ReportOn(const std::string& report_id, const std::string& account) {
  return MakeReport(report_id, "PA05-CA Ha Noi", v1::EXTORTION_DEEPFAKE,
                    v1::CONFIRMED,
                    {MakeIdentifier(v1::BANK_ACCOUNT, "970436", account)});
}

class PaymentPathTest : public ::testing::Test {
 protected:
  void Start(service::ServerOptions options = {}) {
    auto server = testing::TestServer::Start(dir_.path(), std::move(options));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }

  grpc::Status Screen(const v1::ScreenTransferRequest& request,
                      v1::ScreenTransferResponse* response) {
    grpc::ClientContext context;
    SetDeadline(&context, std::chrono::seconds(5));
    return server_->screening().ScreenTransfer(&context, request, response);
  }

  // One UploadReports stream of `reports` with a 5 s deadline: a stream the
  // server left unfinished ends DEADLINE_EXCEEDED.
  absl::StatusOr<v1::UploadSummary> Upload(
      const std::vector<v1::Report>& reports) {
    return testing::Upload(server_->reports(), reports, absl::Seconds(5));
  }

  testing::TempDir dir_;
  std::unique_ptr<testing::TestServer> server_;
};

TEST_F(PaymentPathTest, MalformedReportTimesAreRejectedAndFreeTheirPlace) {
  service::ServerOptions options;
  // Two places: a stream that kept its place would show at the third.
  options.limits.budgets.screening = 2;
  options.limits.budgets.other = 2;
  Start(std::move(options));

  struct Case {
    const char* field;
    v1::Report report;
  };
  std::vector<Case> cases;
  cases.push_back({"reported_at", ReportOn("BEFORE-YEAR-1", "1000000001")});
  *cases.back().report.mutable_reported_at() = Ts(kYearOne - 1);
  cases.push_back({"reported_at", ReportOn("MINUS-2-62", "1000000002")});
  *cases.back().report.mutable_reported_at() = Ts(-(int64_t{1} << 62));
  cases.push_back({"reported_at", ReportOn("BAD-NANOS", "1000000003")});
  *cases.back().report.mutable_reported_at() = Ts(1'700'000'000, -1);
  cases.push_back({"expires_at", ReportOn("EXPIRES-9999+", "1000000004")});
  *cases.back().report.mutable_expires_at() = Ts(253'402'300'800);
  cases.push_back({"expires_at", ReportOn("EXPIRES-NANOS", "1000000005")});
  *cases.back().report.mutable_expires_at() = Ts(1'900'000'000, 1'000'000'000);

  for (const Case& c : cases) {
    // The bad report between two good ones: it alone is rejected.
    const std::string good = core::StrCat("GOOD-", c.report.report_id());
    absl::StatusOr<v1::UploadSummary> summary =
        Upload({ReportOn(good + "-a", "2000000001"), c.report,
                ReportOn(good + "-b", "2000000002")});
    ASSERT_TRUE(summary.ok())
        << c.report.report_id() << ": " << summary.status();
    ASSERT_THAT(summary->rejected(), SizeIs(1)) << c.report.report_id();
    EXPECT_EQ(summary->rejected(0).index(), 1);
    EXPECT_EQ(summary->rejected(0).field(), c.field) << c.report.report_id();
    EXPECT_THAT(summary->rejected(0).message(), HasSubstr("not a valid time"));
    EXPECT_EQ(summary->reports_accepted(), 2) << c.report.report_id();
  }

  // Every place is free: screening answers, and the server stops at once.
  v1::ScreenTransferResponse response;
  grpc::Status s = Screen(testing::MakeTransfer("after-bad-times"), &response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(response.decision(), v1::DECISION_ALLOW);
  absl::Notification stopped;
  std::thread stopper([&] {
    server_->server().Shutdown(absl::Seconds(1));
    server_->server().Wait();
    stopped.Notify();
  });
  EXPECT_TRUE(stopped.WaitForNotificationWithTimeout(absl::Seconds(10)))
      << "the server did not stop";
  stopper.join();
}

TEST_F(PaymentPathTest, MalformedTimesInOtherRequestsNameTheirField) {
  Start();
  v1::ScreenTransferRequest transfer =
      testing::MakeTransfer("bad-requested-at");
  *transfer.mutable_requested_at() = Ts(kYearOne - 86'400);
  v1::ScreenTransferResponse response;
  grpc::Status s = Screen(transfer, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("requested_at: not a valid time"));

  {
    v1::QueryHitsRequest request;
    *request.mutable_from() = Ts(kYearOne - 1);
    v1::QueryHitsResponse hits;
    grpc::ClientContext context;
    s = server_->history().QueryHits(&context, request, &hits);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(s.error_message(), HasSubstr("from: not a valid time"));
  }
  {
    v1::FindPastTransfersRequest request;
    *request.mutable_identifier() =
        MakeIdentifier(v1::BANK_ACCOUNT, "970436", "1000000001");
    *request.mutable_to() = Ts(int64_t{1} << 62);
    v1::QueryHitsResponse hits;
    grpc::ClientContext context;
    s = server_->history().FindPastTransfers(&context, request, &hits);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(s.error_message(), HasSubstr("to: not a valid time"));
  }
  {
    v1::HitStatsRequest request;
    *request.mutable_to() = Ts(0, -5);
    v1::HitStatsResponse stats;
    grpc::ClientContext context;
    s = server_->history().HitStats(&context, request, &stats);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(s.error_message(), HasSubstr("to: not a valid time"));
  }
  // The server is unharmed.
  s = Screen(testing::MakeTransfer("after"), &response);
  EXPECT_TRUE(s.ok()) << s.error_message();
}

TEST_F(PaymentPathTest, IdlePoliceStreamsNeverStarveScreening) {
  service::ServerOptions options;
  options.limits.budgets.screening = 8;
  options.limits.budgets.other = 8;
  options.limits.budgets.uploads_per_caller = 4;
  options.reports.upload_idle = absl::Seconds(2);
  Start(std::move(options));

  // Twelve streams opened by one caller and left idle.
  constexpr int kStreams = 12;
  struct Idle {
    grpc::ClientContext context;
    v1::UploadSummary summary;
    std::unique_ptr<grpc::ClientWriter<v1::Report>> writer;
    grpc::Status status;
    absl::Duration took;
  };
  std::vector<std::unique_ptr<Idle>> streams;
  const absl::Time opened = absl::Now();
  for (int i = 0; i < kStreams; ++i) {
    auto& idle = streams.emplace_back(std::make_unique<Idle>());
    SetDeadline(&idle->context, std::chrono::seconds(30));
    idle->writer =
        server_->reports().UploadReports(&idle->context, &idle->summary);
  }
  std::vector<std::thread> finishers;
  for (auto& idle : streams) {
    finishers.emplace_back([&idle, opened] {
      idle->status = idle->writer->Finish();
      idle->took = absl::Now() - opened;
    });
  }
  // Screening is answered throughout, more calls than its own budget.
  for (int i = 0; i < 40; ++i) {
    v1::ScreenTransferResponse response;
    grpc::Status s =
        Screen(testing::MakeTransfer(core::StrCat("during-", i)), &response);
    ASSERT_TRUE(s.ok()) << i << ": " << s.error_message();
  }
  for (auto& t : finishers) t.join();

  int capped = 0, idled = 0;
  for (const auto& idle : streams) {
    if (idle->status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
      EXPECT_THAT(idle->status.error_message(), HasSubstr("upload streams:"));
      EXPECT_LT(idle->took, absl::Seconds(2));
      ++capped;
    } else {
      EXPECT_EQ(idle->status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED)
          << idle->status.error_message();
      EXPECT_THAT(idle->status.error_message(),
                  HasSubstr("upload stream idle"));
      EXPECT_GE(idle->took, absl::Seconds(2));
      EXPECT_LT(idle->took, absl::Seconds(10));
      ++idled;
    }
  }
  EXPECT_EQ(idled, 4);
  EXPECT_EQ(capped, kStreams - 4);

  // Their places are free again: the caller uploads.
  absl::StatusOr<v1::UploadSummary> summary;
  const absl::Time give_up = absl::Now() + absl::Seconds(5);
  do {
    summary = Upload({ReportOn("AFTER-IDLE", "3000000001")});
  } while (absl::IsResourceExhausted(summary.status()) &&
           absl::Now() < give_up);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->reports_accepted(), 1);
}

TEST_F(PaymentPathTest, AStreamThatKeepsSendingIsNotIdle) {
  service::ServerOptions options;
  options.reports.upload_idle = absl::Seconds(1);
  options.reports.max_batch_reports = 1;
  Start(std::move(options));
  grpc::ClientContext context;
  SetDeadline(&context, std::chrono::seconds(30));
  v1::UploadSummary summary;
  auto writer = server_->reports().UploadReports(&context, &summary);
  // 3 s of reports, one every 400 ms: never 1 s without one.
  for (int i = 0; i < 8; ++i) {
    ASSERT_TRUE(writer->Write(
        ReportOn(core::StrCat("STEADY-", i), core::StrCat("400000000", i))))
        << i;
    absl::SleepFor(absl::Milliseconds(400));
  }
  writer->WritesDone();
  grpc::Status s = writer->Finish();
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(summary.reports_accepted(), 8);
}

// Bytes that are not the method's request message: a clear
// INVALID_ARGUMENT, and the server goes on.
TEST_F(PaymentPathTest, UnparseableRequestsAreInvalidArgument) {
  Start();
  grpc::GenericStub stub(server_->channel());
  // A truncated field; a string field (transfer_id) that is not UTF-8.
  for (const std::string& bytes : {std::string("\x0a\x05"
                                               "ab",
                                               4),
                                   std::string("\x0a\x02\xc3\x28", 4),
                                   std::string("\xff\xff\xff\xff", 4)}) {
    grpc::Slice slice(bytes);
    grpc::ByteBuffer request(&slice, 1);
    grpc::ByteBuffer response;
    grpc::ClientContext context;
    SetDeadline(&context, std::chrono::seconds(5));
    absl::Notification done;
    grpc::Status status;
    stub.UnaryCall(&context, "/fraudgate.v1.ScreeningService/ScreenTransfer",
                   {}, &request, &response, [&](grpc::Status s) {
                     status = std::move(s);
                     done.Notify();
                   });
    done.WaitForNotification();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << status.error_code() << " " << status.error_message();
    EXPECT_THAT(status.error_message(),
                HasSubstr("request: not a valid "
                          "fraudgate.v1.ScreenTransferRequest"));
  }
  v1::ScreenTransferResponse response;
  grpc::Status s = Screen(testing::MakeTransfer("after-garbage"), &response);
  EXPECT_TRUE(s.ok()) << s.error_message();
}

// Text that displays other than it reads (a right-to-left override makes
// "FT" + U+202E + "1234" show as "FT4321") is refused, naming the field.
TEST_F(PaymentPathTest, BidiControlsAreRefusedInTextFields) {
  Start();
  v1::ScreenTransferResponse response;
  grpc::Status s = Screen(testing::MakeTransfer("FT\xE2\x80\xAE"
                                                "1234"),
                          &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(),
              HasSubstr("transfer_id: contains control or bidirectional"));
  v1::Report report = ReportOn("R-BIDI", "6000000001");
  report.set_agency("PA05\xE2\x81\xA6 Kon Tum");
  absl::StatusOr<v1::UploadSummary> summary = Upload({report});
  ASSERT_TRUE(summary.ok()) << summary.status();
  ASSERT_THAT(summary->rejected(), SizeIs(1));
  EXPECT_EQ(summary->rejected(0).field(), "agency");
}

// An UploadReports stream of raw messages, as any client may send them.
class RawUpload
    : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  RawUpload(grpc::GenericStub& stub, std::vector<std::string> messages)
      : messages_(std::move(messages)) {
    SetDeadline(&context_, std::chrono::seconds(10));
    stub.PrepareBidiStreamingCall(
        &context_, "/fraudgate.v1.ReportService/UploadReports", {}, this);
    StartRead(&response_);
    WriteNext();
    StartCall();
  }
  void OnWriteDone(bool ok) override {
    if (ok) WriteNext();
  }
  void OnReadDone(bool ok) override {
    if (!ok) return;
    std::vector<grpc::Slice> slices;
    if (!response_.Dump(&slices).ok()) return;
    std::string bytes;
    for (const grpc::Slice& s : slices) {
      bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
    }
    summary_.ParseFromString(bytes);
  }
  void OnDone(const grpc::Status& status) override {
    status_ = status;
    done_.Notify();
  }
  grpc::Status Wait(v1::UploadSummary* summary) {
    done_.WaitForNotification();
    *summary = summary_;
    return status_;
  }

 private:
  void WriteNext() {
    if (next_ == messages_.size()) {
      StartWritesDone();
      return;
    }
    grpc::Slice slice(messages_[next_++]);
    request_ = grpc::ByteBuffer(&slice, 1);
    StartWrite(&request_);
  }

  std::vector<std::string> messages_;
  size_t next_ = 0;
  grpc::ClientContext context_;
  grpc::ByteBuffer request_, response_;
  v1::UploadSummary summary_;
  grpc::Status status_;
  absl::Notification done_;
};

// A streamed report that cannot be parsed is rejected like an invalid one,
// naming its index; the stream goes on.
TEST_F(PaymentPathTest, UnparseableStreamedReportIsRejectedAndOthersGoOn) {
  Start();
  grpc::GenericStub stub(server_->channel());
  RawUpload upload(stub, {ReportOn("RAW-1", "5000000001").SerializeAsString(),
                          std::string("\x0a\x02\xc3\x28", 4),
                          ReportOn("RAW-2", "5000000002").SerializeAsString()});
  v1::UploadSummary summary;
  grpc::Status s = upload.Wait(&summary);
  ASSERT_TRUE(s.ok()) << s.error_code() << " " << s.error_message();
  EXPECT_EQ(summary.reports_accepted(), 2);
  ASSERT_THAT(summary.rejected(), SizeIs(1));
  EXPECT_EQ(summary.rejected(0).index(), 1);
  EXPECT_EQ(summary.rejected(0).field(), "report")
      << summary.ShortDebugString();
  EXPECT_THAT(summary.rejected(0).message(),
              HasSubstr("not a valid fraudgate.v1.Report"));
}

}  // namespace
}  // namespace fraudgate
