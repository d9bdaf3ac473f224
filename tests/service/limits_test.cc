// Server limits against a real server on port 0 over a real RocksDB: a
// screening request (or batch item) over kMaxScreeningRequestBytes is
// RESOURCE_EXHAUSTED while one at the cap is screened; a streamed report over
// max_receive_message_bytes fails the upload and stores nothing; with
// max_in_flight_other calls held open, further calls but screening are
// refused at once with RESOURCE_EXHAUSTED (never queued until their
// deadline), screening goes on in its own budget, and the server answers
// again once they end; oversized metadata fails only its own call; an upload
// stream with no client deadline (or a later one) ends with DEADLINE_EXCEEDED
// at the server's stream cap, whether it waits or keeps sending, and frees its
// place in flight; and ValidateServerOptions refuses budgets < 1 and a cap
// <= 0.
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
#include "gtest/gtest.h"
#include "service/screening_service.h"
#include "service/server.h"
#include "tests/testing/proto_printer.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_server.h"

namespace fraudgate {
namespace {

using ::testing::HasSubstr;
using testing::MakeIdentifier;
using testing::MakeReport;
using ::testing::SizeIs;
using ::testing::StartsWith;

// A client deadline well past "at once": a call queued behind the held
// streams would end DEADLINE_EXCEEDED, not RESOURCE_EXHAUSTED.
constexpr auto kDeadline = std::chrono::seconds(5);

void SetDeadline(grpc::ClientContext* context,
                 std::chrono::seconds timeout = kDeadline) {
  context->set_deadline(std::chrono::system_clock::now() + timeout);
}

// A transfer whose memo makes the serialized request exactly `bytes` long.
v1::ScreenTransferRequest TransferOfSize(const std::string& id, size_t bytes) {
  v1::ScreenTransferRequest r = testing::MakeTransfer(id);
  r.set_memo(std::string(bytes / 2, 'a'));
  // The memo's length prefix is 3 bytes for any length in 16 KiB..2 MiB, so
  // one correction lands exactly.
  r.set_memo(std::string(r.memo().size() + bytes - r.ByteSizeLong(), 'a'));
  return r;
}

v1::Report ReportOn(const std::string& report_id, const std::string& account) {
  return MakeReport(report_id, "PA05-CA Ha Noi", v1::INVESTMENT_SCAM,
                    v1::CONFIRMED,
                    {MakeIdentifier(v1::BANK_ACCOUNT, "970436", account)});
}

class LimitsTest : public ::testing::Test {
 protected:
  void Start(service::ServerOptions options = {}) {
    auto server = testing::TestServer::Start(dir_.path(), std::move(options));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }

  grpc::Status Screen(const v1::ScreenTransferRequest& request,
                      v1::ScreenTransferResponse* response) {
    grpc::ClientContext context;
    SetDeadline(&context);
    return server_->screening().ScreenTransfer(&context, request, response);
  }

  // Screen(), retried while it fails with `transient` for up to `patience`:
  // for a moment after a stream ends or a connection is closed.
  grpc::Status ScreenRetrying(const std::string& id, grpc::StatusCode transient,
                              absl::Duration patience,
                              v1::ScreenTransferResponse* response) {
    const absl::Time give_up = absl::Now() + patience;
    grpc::Status s;
    do {
      s = Screen(testing::MakeTransfer(id), response);
    } while (s.error_code() == transient && absl::Now() < give_up);
    return s;
  }

  grpc::Status GetEntity(const std::string& account, v1::Entity* entity) {
    v1::GetEntityRequest request;
    *request.mutable_identifier() =
        MakeIdentifier(v1::BANK_ACCOUNT, "970436", account);
    grpc::ClientContext context;
    SetDeadline(&context);
    return server_->reports().GetEntity(&context, request, entity);
  }

  // GetEntity(), retried while RESOURCE_EXHAUSTED for up to `patience`: for
  // a moment after a stream ends.
  grpc::Status GetEntityRetrying(const std::string& account,
                                 absl::Duration patience, v1::Entity* entity) {
    const absl::Time give_up = absl::Now() + patience;
    grpc::Status s;
    do {
      s = GetEntity(account, entity);
    } while (s.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED &&
             absl::Now() < give_up);
    return s;
  }

  // One UploadReports stream of `reports`, with a deadline.
  grpc::Status Upload(const std::vector<v1::Report>& reports,
                      v1::UploadSummary* summary) {
    grpc::ClientContext context;
    SetDeadline(&context);
    auto writer = server_->reports().UploadReports(&context, summary);
    for (const v1::Report& r : reports) {
      if (!writer->Write(r)) break;
    }
    writer->WritesDone();
    return writer->Finish();
  }

  testing::TempDir dir_;
  std::unique_ptr<testing::TestServer> server_;
};

TEST_F(LimitsTest, OversizeScreeningRequestIsResourceExhausted) {
  Start();
  const size_t cap = service::kMaxScreeningRequestBytes;

  v1::ScreenTransferResponse response;
  auto over = TransferOfSize("over", cap + 1);
  ASSERT_EQ(over.ByteSizeLong(), cap + 1);
  grpc::Status s = Screen(over, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << s.error_message();
  EXPECT_THAT(s.error_message(), StartsWith("request:"));

  // Oversized by customer_id instead of memo: the cap is on the whole request.
  auto by_customer = testing::MakeTransfer("over-customer");
  by_customer.mutable_beneficiary()->set_customer_id(std::string(cap, 'c'));
  s = Screen(by_customer, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << s.error_message();
  EXPECT_THAT(s.error_message(), StartsWith("request:"));

  // At the cap it reaches validation, which refuses the too-long memo.
  auto at_cap = TransferOfSize("at-cap", cap);
  ASSERT_EQ(at_cap.ByteSizeLong(), cap);
  s = Screen(at_cap, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
      << s.error_message();
  EXPECT_THAT(s.error_message(), StartsWith("memo:"));

  // Nothing of the refused requests was recorded; a normal one still is.
  ASSERT_TRUE(Screen(testing::MakeTransfer("normal"), &response).ok());
  EXPECT_EQ(response.decision(), v1::DECISION_ALLOW);
  auto page = server_->store().hits().Query({});
  ASSERT_TRUE(page.ok());
  EXPECT_THAT(page->hits, SizeIs(1));
}

TEST_F(LimitsTest, OversizeBatchItemFailsAloneWithCode8) {
  Start();
  v1::ScreenTransfersRequest batch;
  *batch.add_transfers() = testing::MakeTransfer("b0");
  *batch.add_transfers() =
      TransferOfSize("b1", service::kMaxScreeningRequestBytes + 1);
  *batch.add_transfers() = testing::MakeTransfer("b2");
  v1::ScreenTransfersResponse response;
  grpc::ClientContext context;
  SetDeadline(&context);
  grpc::Status s =
      server_->screening().ScreenTransfers(&context, batch, &response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_THAT(response.results(), SizeIs(3));
  EXPECT_EQ(response.results(1).error().code(),
            static_cast<int>(grpc::StatusCode::RESOURCE_EXHAUSTED));
  EXPECT_EQ(response.results(1).error().code(), 8);
  EXPECT_THAT(response.results(1).error().message(),
              StartsWith("transfers[1].request:"));
  EXPECT_FALSE(response.results(1).has_response());
  for (int i : {0, 2}) {
    EXPECT_FALSE(response.results(i).has_error()) << i;
    EXPECT_EQ(response.results(i).response().decision(), v1::DECISION_ALLOW)
        << i;
    EXPECT_EQ(response.results(i).response().transfer_id(),
              core::StrCat("b", i));
  }
}

TEST_F(LimitsTest, OversizeStreamedReportFailsUploadAndStoresNothing) {
  Start();
  v1::Report huge = ReportOn("HUGE-1", "1111111111");
  huge.set_note(std::string((4 << 20) + 1024, 'n'));
  ASSERT_GT(huge.ByteSizeLong(), size_t{4} << 20);
  v1::UploadSummary summary;
  grpc::Status s = Upload({huge}, &summary);
  // gRPC's own receive limit, before the service sees the report.
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << s.error_message();

  v1::UploadSummary next;
  s = Upload({ReportOn("OK-1", "2222222222")}, &next);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(next.reports_accepted(), 1);

  v1::Entity entity;
  EXPECT_EQ(GetEntity("1111111111", &entity).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(GetEntity("2222222222", &entity).ok());
}

// An UploadReports stream held open: it occupies a place in flight until it
// ends.
struct OpenUpload {
  grpc::ClientContext context;
  v1::UploadSummary summary;
  std::unique_ptr<grpc::ClientWriter<v1::Report>> writer;
};

TEST_F(LimitsTest, FullServerShedsAtOnceAndRecovers) {
  service::ServerOptions options;
  options.limits.budgets.other = 3;
  // Each report is stored as soon as it is read, so the list version shows
  // that a stream's handler has run (and taken its place in flight).
  options.reports.max_batch_reports = 1;
  Start(std::move(options));

  std::vector<std::unique_ptr<OpenUpload>> streams;
  for (int i = 0; i < 3; ++i) {
    auto& stream = streams.emplace_back(std::make_unique<OpenUpload>());
    // Long enough to outlast the test; bounded so a failure cannot hang.
    SetDeadline(&stream->context, std::chrono::seconds(30));
    stream->writer =
        server_->reports().UploadReports(&stream->context, &stream->summary);
    ASSERT_TRUE(stream->writer->Write(
        ReportOn(core::StrCat("HELD-", i), core::StrCat("333333333", i))));
  }
  const absl::Time wait_until = absl::Now() + absl::Seconds(5);
  while (server_->store().blocklist().list_version() < 3 &&
         absl::Now() < wait_until) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  ASSERT_EQ(server_->store().blocklist().list_version(), 3u)
      << "the held streams' reports were not all read";

  // Screening has its own budget: held uploads never take its places.
  v1::ScreenTransferResponse response;
  grpc::Status s =
      Screen(testing::MakeTransfer("during-held-uploads"), &response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(response.decision(), v1::DECISION_ALLOW);

  // Others are refused at once, not queued until the 5 s deadline.
  v1::Entity held_entity;
  const absl::Time start = absl::Now();
  s = GetEntity("3333333330", &held_entity);
  const absl::Duration took = absl::Now() - start;
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << s.error_message();
  EXPECT_THAT(s.error_message(), HasSubstr("server busy"));
  EXPECT_LT(took, absl::Seconds(2));

  v1::UploadSummary refused_summary;
  s = Upload({ReportOn("REFUSED-0", "4444444440")}, &refused_summary);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << s.error_message();
  EXPECT_THAT(s.error_message(), HasSubstr("server busy"));

  // A burst from a few threads, of every kind: screenings answered, the
  // rest refused, none hangs.
  constexpr int kThreads = 5;
  constexpr int kCallsPerThread = 10;
  std::vector<grpc::Status> results(kThreads * kCallsPerThread);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int c = 0; c < kCallsPerThread; ++c) {
        const int n = t * kCallsPerThread + c;
        switch (n % 3) {
          case 0: {
            v1::ScreenTransferResponse r;
            results[n] =
                Screen(testing::MakeTransfer(core::StrCat("burst-", n)), &r);
            break;
          }
          case 1: {
            v1::Entity e;
            results[n] = GetEntity("3333333330", &e);
            break;
          }
          default: {
            v1::UploadSummary u;
            results[n] =
                Upload({ReportOn(core::StrCat("BURST-", n), "5555555555")}, &u);
            break;
          }
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (size_t n = 0; n < results.size(); ++n) {
    EXPECT_EQ(results[n].error_code(),
              n % 3 == 0 ? grpc::StatusCode::OK
                         : grpc::StatusCode::RESOURCE_EXHAUSTED)
        << "call " << n << ": " << results[n].error_message();
  }

  // The held streams end normally, with their reports stored.
  for (int i = 0; i < 3; ++i) {
    OpenUpload& stream = *streams[i];
    ASSERT_TRUE(stream.writer->WritesDone()) << i;
    s = stream.writer->Finish();
    ASSERT_TRUE(s.ok()) << i << ": " << s.error_message();
    EXPECT_EQ(stream.summary.reports_accepted(), 1) << i;
  }
  streams.clear();

  // A stream's place is freed when its reactor is done, which may trail the
  // client seeing its status by a moment: allow that, boundedly.
  for (int i = 0; i < 3; ++i) {
    v1::Entity entity;
    s = GetEntityRetrying(core::StrCat("333333333", i), absl::Seconds(2),
                          &entity);
    ASSERT_TRUE(s.ok()) << i << ": " << s.error_message();
    EXPECT_EQ(entity.status(), v1::ACTIVE) << i;
  }
  // Nothing of the refused uploads was stored.
  v1::Entity entity;
  EXPECT_EQ(GetEntity("4444444440", &entity).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(GetEntity("5555555555", &entity).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(LimitsTest, OversizeMetadataFailsOnlyThatCall) {
  Start();
  v1::ScreenTransferResponse response;
  grpc::ClientContext context;
  SetDeadline(&context);
  // Four times max_metadata_bytes (16 KiB).
  context.AddMetadata("x-padding", std::string(64 << 10, 'm'));
  grpc::Status s = server_->screening().ScreenTransfer(
      &context, testing::MakeTransfer("big-metadata"), &response);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << s.error_message();

  // The server is fine: the next call is answered. gRPC may close that
  // connection after the oversize headers ("Socket closed"), so a call that
  // lands on it before the channel reconnects is retried.
  s = ScreenRetrying("after-metadata", grpc::StatusCode::UNAVAILABLE,
                     absl::Seconds(5), &response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(response.decision(), v1::DECISION_ALLOW);
}

// Cancels `context` unless notified within a minute, so a stream the server
// never ends fails the test instead of hanging it.
class CancelGuard {
 public:
  explicit CancelGuard(grpc::ClientContext* context)
      : thread_([this, context] {
          if (!done_.WaitForNotificationWithTimeout(absl::Minutes(1))) {
            context->TryCancel();
          }
        }) {}
  ~CancelGuard() {
    done_.Notify();
    thread_.join();
  }

 private:
  absl::Notification done_;
  std::thread thread_;
};

TEST_F(LimitsTest, IdleStreamWithoutDeadlineEndsAtServerCap) {
  service::ServerOptions options;
  options.limits.max_stream_duration = absl::Seconds(1);
  options.limits.budgets.other = 1;
  options.reports.max_batch_reports = 1;
  Start(options);

  grpc::ClientContext context;  // no deadline
  CancelGuard guard(&context);
  v1::UploadSummary summary;
  auto writer = server_->reports().UploadReports(&context, &summary);
  ASSERT_TRUE(writer->Write(ReportOn("CAP-1", "3333333333")));
  // No WritesDone: the stream waits for more.
  const grpc::Status s = writer->Finish();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED)
      << s.error_message();
  EXPECT_THAT(s.error_message(), HasSubstr("limits.max_stream_seconds"));

  // The only place in flight is free again (the server frees it just after
  // the client has the status), and the first batch (one report) was
  // acknowledged by storing it.
  v1::Entity entity;
  const grpc::Status got =
      GetEntityRetrying("3333333333", absl::Seconds(10), &entity);
  EXPECT_TRUE(got.ok()) << got.error_message();
}

TEST_F(LimitsTest, BusyStreamWithLaterDeadlineEndsAtServerCap) {
  service::ServerOptions options;
  options.limits.max_stream_duration = absl::Seconds(1);
  Start(options);

  grpc::ClientContext context;
  SetDeadline(&context, std::chrono::hours(1));
  CancelGuard guard(&context);
  v1::UploadSummary summary;
  // Before the call: the server fixes the stream's deadline when it starts.
  const absl::Time start = absl::Now();
  auto writer = server_->reports().UploadReports(&context, &summary);
  int written = 0;
  while (
      writer->Write(ReportOn(core::StrCat("BUSY-", written), "4444444444"))) {
    ++written;
    absl::SleepFor(absl::Milliseconds(20));
  }
  const grpc::Status s = writer->Finish();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED)
      << s.error_message();
  EXPECT_THAT(s.error_message(), HasSubstr("limits.max_stream_seconds"));
  EXPECT_GE(absl::Now() - start, absl::Seconds(1));
  EXPECT_GT(written, 5);
}

TEST(ValidateServerOptionsTest, StreamCapMustBePositive) {
  service::ServerOptions options;
  options.insecure = true;
  options.listen = "127.0.0.1:0";
  options.limits.max_stream_duration = absl::ZeroDuration();
  absl::Status s = service::ValidateServerOptions(options);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("max_stream_seconds"));
}

TEST(ValidateServerOptionsTest, BudgetsMustBePositive) {
  service::ServerOptions options;
  options.insecure = true;
  options.listen = "127.0.0.1:0";
  options.limits.budgets = {1, 1, 1};
  EXPECT_TRUE(service::ValidateServerOptions(options).ok());
  for (int64_t bad : {0, -1}) {
    for (auto [field, budget] :
         {std::pair{"max_in_flight", &service::CallGate::Budgets::screening},
          std::pair{"max_in_flight_other", &service::CallGate::Budgets::other},
          std::pair{"max_uploads_per_caller",
                    &service::CallGate::Budgets::uploads_per_caller}}) {
      service::ServerOptions bad_options = options;
      bad_options.limits.budgets.*budget = bad;
      absl::Status s = service::ValidateServerOptions(bad_options);
      EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << bad;
      EXPECT_THAT(s.message(), HasSubstr(core::StrCat("limits.", field, ":")))
          << bad;
    }
  }
  options.limits.budgets.screening = 0;
  // Server::Start makes the same check, so no server runs with it.
  testing::TempDir dir;
  auto server = testing::TestServer::Start(dir.path(), options);
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(server.status().message(), HasSubstr("max_in_flight"));
}

}  // namespace
}  // namespace fraudgate
