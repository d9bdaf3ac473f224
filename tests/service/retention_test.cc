// Retention of the screening history (issue 4) against a real server with a
// fake clock: screenings that matched nothing go after unmatched_retention
// (default 90 days) with their keyed-hash index entries, screenings that
// matched the blocklist (by beneficiary or by contact) stay until
// hit_retention (default 400 days) and then go with their identifier and
// idempotency entries; screening keeps answering while a backlog is removed;
// and the HistoryConfig values, defaults and validation.
#include "service/retention.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "core/text.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "proto/proto_time.h"
#include "service/config.h"
#include "service/convert.h"
#include "service/server.h"
#include "tests/testing/eventually.h"
#include "tests/testing/proto_printer.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_server.h"

namespace fraudgate {
namespace {

using ::fraudgate::testing::Eventually;

using ::testing::AnyOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::MakeIdentifier;
using testing::MakeReport;

const absl::Time kStart = absl::FromCivil(
    absl::CivilSecond(2026, 11, 1, 8, 0, 0), absl::FixedTimeZone(7 * 3600));
constexpr absl::Duration kInterval = absl::Milliseconds(20);

constexpr char kListedAccount[] = "0071001234567";
constexpr char kListedPhone[] = "0912345678";

absl::Duration Days(int days) { return absl::Hours(24) * days; }

v1::ScreenTransferRequest Transfer(const std::string& id,
                                   const std::string& account) {
  v1::ScreenTransferRequest r;
  r.set_transfer_id(id);
  r.set_amount(2'000'000);
  r.mutable_beneficiary()->set_bank("VCB");
  r.mutable_beneficiary()->set_account(account);
  return r;
}

class RetentionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    now_->store(absl::ToUnixMicros(kStart));
    service::ServerOptions options;
    options.retention.interval = kInterval;
    options.clock = [now = now_, calls = clock_calls_] {
      calls->fetch_add(1);
      return absl::FromUnixMicros(now->load());
    };
    auto server = testing::TestServer::Start(dir_.path(), options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    auto summary = testing::Upload(
        server_->reports(),
        {MakeReport("R1", "A05-BCA", v1::EXTORTION_DEEPFAKE, v1::CONFIRMED,
                    {MakeIdentifier(v1::BANK_ACCOUNT, "VCB", kListedAccount),
                     MakeIdentifier(v1::PHONE, "", kListedPhone)})});
    ASSERT_TRUE(summary.ok()) << summary.status();
    ASSERT_EQ(summary->reports_accepted(), 1);
  }

  // Sets the fake clock to kStart + `since_start`.
  void AdvanceTo(absl::Duration since_start) {
    now_->store(absl::ToUnixMicros(kStart + since_start));
  }

  // Waits until the retention job has completed at least `runs` runs that
  // read the current fake time. Only the job reads the clock while no call is
  // in flight, and it reads it once at the start of each run, so the clock
  // being read runs + 1 more times means `runs` runs at this time completed.
  void WaitForRetentionRuns(int runs) {
    const int64_t before = clock_calls_->load();
    const absl::Time started = absl::Now();
    ASSERT_TRUE(Eventually([&] {
      return clock_calls_->load() >= before + runs + 1 &&
             absl::Now() - started >= kInterval * runs;
    })) << "the retention job did not run";
  }

  v1::ScreenTransferResponse Screen(const v1::ScreenTransferRequest& request) {
    v1::ScreenTransferResponse response;
    grpc::ClientContext context;
    grpc::Status s =
        server_->screening().ScreenTransfer(&context, request, &response);
    EXPECT_TRUE(s.ok()) << request.transfer_id() << ": " << s.error_message();
    return response;
  }

  grpc::Status GetHit(const std::string& hit_id, v1::Hit* hit = nullptr) {
    v1::GetHitRequest request;
    request.set_hit_id(hit_id);
    v1::Hit ignored;
    grpc::ClientContext context;
    return server_->history().GetHit(&context, request,
                                     hit != nullptr ? hit : &ignored);
  }

  grpc::Status RecordOutcome(const std::string& hit_id) {
    v1::RecordOutcomeRequest request;
    request.set_hit_id(hit_id);
    request.set_outcome(v1::CONFIRMED_FRAUD);
    request.set_note("police confirmed");
    v1::Hit hit;
    grpc::ClientContext context;
    return server_->history().RecordOutcome(&context, request, &hit);
  }

  // Transfer ids of every page of QueryHits, newest first.
  std::vector<std::string> QueryIds(v1::QueryHitsRequest request) {
    std::vector<std::string> ids;
    request.set_page_size(1000);
    do {
      v1::QueryHitsResponse response;
      grpc::ClientContext context;
      grpc::Status s =
          server_->history().QueryHits(&context, request, &response);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok()) break;
      for (const v1::Hit& h : response.hits()) ids.push_back(h.transfer_id());
      request.set_page_token(response.next_page_token());
    } while (!request.page_token().empty());
    return ids;
  }

  std::vector<std::string> QueryIdsByAccount(const std::string& account) {
    v1::QueryHitsRequest request;
    *request.mutable_identifier() =
        MakeIdentifier(v1::BANK_ACCOUNT, "VCB", account);
    return QueryIds(request);
  }

  // Transfer ids FindPastTransfers returns for the VCB account (one page).
  std::vector<std::string> PastIds(const std::string& account) {
    v1::FindPastTransfersRequest request;
    *request.mutable_identifier() =
        MakeIdentifier(v1::BANK_ACCOUNT, "VCB", account);
    request.set_page_size(1000);
    v1::QueryHitsResponse response;
    grpc::ClientContext context;
    grpc::Status s =
        server_->history().FindPastTransfers(&context, request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    std::vector<std::string> ids;
    for (const v1::Hit& h : response.hits()) ids.push_back(h.transfer_id());
    return ids;
  }

  // The fake "now" (unix micros) and how often the server read it; shared
  // with the server's clock function.
  std::shared_ptr<std::atomic<int64_t>> now_ =
      std::make_shared<std::atomic<int64_t>>(0);
  std::shared_ptr<std::atomic<int64_t>> clock_calls_ =
      std::make_shared<std::atomic<int64_t>>(0);
  testing::TempDir dir_;
  std::unique_ptr<testing::TestServer> server_;
};

TEST_F(RetentionTest, UnmatchedGoAfter90DaysAndHitsAfter400) {
  const auto blocked = Screen(Transfer("t-listed", kListedAccount));
  const auto allowed = Screen(Transfer("t-unlisted", "123456789"));
  auto contact_request = Transfer("t-contact", "5550001234");
  *contact_request.add_contacts() = MakeIdentifier(v1::PHONE, "", kListedPhone);
  const auto by_contact = Screen(contact_request);
  ASSERT_EQ(blocked.decision(), v1::DECISION_BLOCK);
  ASSERT_EQ(allowed.decision(), v1::DECISION_ALLOW);
  ASSERT_NE(by_contact.decision(), v1::DECISION_ALLOW);  // matched by contact
  // Before any removal a repeat returns the recorded hit.
  ASSERT_EQ(Screen(Transfer("t-listed", kListedAccount)).hit_id(),
            blocked.hit_id());

  // 89 days: nothing is past retention.
  AdvanceTo(Days(89));
  ASSERT_NO_FATAL_FAILURE(WaitForRetentionRuns(3));
  EXPECT_TRUE(GetHit(blocked.hit_id()).ok());
  EXPECT_TRUE(GetHit(allowed.hit_id()).ok());
  EXPECT_TRUE(GetHit(by_contact.hit_id()).ok());
  EXPECT_THAT(PastIds("123456789"), ElementsAre("t-unlisted"));
  EXPECT_THAT(QueryIds({}), ElementsAre("t-contact", "t-unlisted", "t-listed"));

  // 91 days: the screening that matched nothing goes, with its keyed-hash
  // index entries; the two that matched stay.
  AdvanceTo(Days(91));
  ASSERT_TRUE(Eventually([&] {
    return GetHit(allowed.hit_id()).error_code() == grpc::StatusCode::NOT_FOUND;
  })) << "the unmatched screening was not removed after 91 days";
  EXPECT_THAT(PastIds("123456789"), IsEmpty());
  // A verdict on it is NOT_FOUND and does not bring it back.
  EXPECT_EQ(RecordOutcome(allowed.hit_id()).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(GetHit(allowed.hit_id()).error_code(), grpc::StatusCode::NOT_FOUND);

  v1::Hit hit;
  ASSERT_TRUE(GetHit(blocked.hit_id(), &hit).ok());
  EXPECT_EQ(hit.transfer_id(), "t-listed");
  EXPECT_EQ(hit.decision(), v1::DECISION_BLOCK);
  EXPECT_TRUE(GetHit(by_contact.hit_id()).ok());
  EXPECT_THAT(QueryIdsByAccount(kListedAccount), ElementsAre("t-listed"));
  EXPECT_THAT(PastIds(kListedAccount), ElementsAre("t-listed"));
  EXPECT_THAT(PastIds("5550001234"), ElementsAre("t-contact"));
  EXPECT_THAT(QueryIds({}), ElementsAre("t-contact", "t-listed"));
  EXPECT_TRUE(RecordOutcome(blocked.hit_id()).ok());

  // 401 days: the matched screenings go too, with every index entry.
  AdvanceTo(Days(401));
  ASSERT_TRUE(Eventually([&] {
    return GetHit(blocked.hit_id()).error_code() == grpc::StatusCode::NOT_FOUND;
  })) << "the matched screening was not removed after 401 days";
  EXPECT_TRUE(Eventually([&] {
    return GetHit(by_contact.hit_id()).error_code() ==
           grpc::StatusCode::NOT_FOUND;
  })) << "the screening matched by contact was not removed after 401 days";
  EXPECT_THAT(QueryIdsByAccount(kListedAccount), IsEmpty());
  v1::QueryHitsRequest by_phone;
  *by_phone.mutable_identifier() = MakeIdentifier(v1::PHONE, "", kListedPhone);
  EXPECT_THAT(QueryIds(by_phone), IsEmpty());
  EXPECT_THAT(PastIds(kListedAccount), IsEmpty());
  EXPECT_THAT(PastIds("5550001234"), IsEmpty());
  EXPECT_THAT(QueryIds({}), IsEmpty());
  EXPECT_EQ(RecordOutcome(blocked.hit_id()).error_code(),
            grpc::StatusCode::NOT_FOUND);

  // The idempotency entry went with the hit: the same transfer_id from the
  // same caller is a new screening now, not the removed record.
  const auto again = Screen(Transfer("t-listed", kListedAccount));
  EXPECT_FALSE(again.hit_id().empty());
  EXPECT_NE(again.hit_id(), blocked.hit_id());
  EXPECT_EQ(FromProtoTime(again.screened_at()), kStart + Days(401));
  EXPECT_TRUE(GetHit(again.hit_id()).ok());
  EXPECT_THAT(QueryIdsByAccount(kListedAccount), ElementsAre("t-listed"));
  // And that new record is the one a repeat returns.
  EXPECT_EQ(Screen(Transfer("t-listed", kListedAccount)).hit_id(),
            again.hit_id());
}

TEST_F(RetentionTest, ScreeningGoesOnWhileABacklogIsRemoved) {
  constexpr int kOld = 3000;
  constexpr int kBatch = 1000;
  for (int first = 0; first < kOld; first += kBatch) {
    v1::ScreenTransfersRequest request;
    for (int i = first; i < first + kBatch; ++i) {
      *request.add_transfers() =
          Transfer(core::StrCat("old-", i), core::StrCat("60001", 100000 + i));
    }
    v1::ScreenTransfersResponse response;
    grpc::ClientContext context;
    grpc::Status s =
        server_->screening().ScreenTransfers(&context, request, &response);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ASSERT_EQ(response.results_size(), kBatch);
    for (const auto& result : response.results()) {
      ASSERT_TRUE(result.has_response()) << result.error().message();
      ASSERT_EQ(result.response().decision(), v1::DECISION_ALLOW);
    }
  }
  ASSERT_THAT(PastIds("60001100000"), ElementsAre("old-0"));

  // Screen from another thread, listed and unlisted beneficiaries
  // alternately, each with its own transfer_id: first at 2 days (nothing is
  // past retention yet), then on while the job removes the backlog at 91 days.
  AdvanceTo(Days(2));
  std::atomic<bool> stop{false};
  std::atomic<int> screened{0};
  std::vector<std::string> new_ids;
  std::thread screener([&] {
    for (int i = 0; i < 1000 && (i < 20 || !stop.load()); ++i) {
      const bool listed = i % 2 == 0;
      const std::string id = core::StrCat("new-", i);
      const auto response =
          Screen(Transfer(id, listed ? kListedAccount : "777000111"));
      EXPECT_EQ(response.transfer_id(), id);
      EXPECT_EQ(response.decision(),
                listed ? v1::DECISION_BLOCK : v1::DECISION_ALLOW)
          << id;
      EXPECT_THAT(FromProtoTime(response.screened_at()),
                  AnyOf(kStart + Days(2), kStart + Days(91)))
          << id;
      new_ids.push_back(id);
      ++screened;
    }
  });
  const bool started = Eventually([&] { return screened.load() >= 10; });
  AdvanceTo(Days(91));

  // Every old screening eventually goes; none of the new ones does.
  v1::QueryHitsRequest old_window;
  *old_window.mutable_from() = ToProtoTime(kStart);
  *old_window.mutable_to() = ToProtoTime(kStart + Days(1));
  old_window.set_page_size(1);
  const bool removed = Eventually([&] {
    v1::QueryHitsResponse response;
    grpc::ClientContext context;
    grpc::Status s =
        server_->history().QueryHits(&context, old_window, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return s.ok() && response.hits_size() == 0 &&
           response.next_page_token().empty();
  });
  stop = true;
  screener.join();
  ASSERT_TRUE(started) << "the screening thread made no progress";
  ASSERT_TRUE(removed) << "the backlog was not removed";

  const std::vector<std::string> remaining = QueryIds({});
  EXPECT_EQ(std::set<std::string>(remaining.begin(), remaining.end()),
            std::set<std::string>(new_ids.begin(), new_ids.end()));
  EXPECT_EQ(remaining.size(), new_ids.size());
  EXPECT_THAT(PastIds("60001100000"), IsEmpty());
  EXPECT_THAT(PastIds(core::StrCat("60001", 100000 + kOld - 1)), IsEmpty());
  EXPECT_EQ(PastIds("777000111").size(), new_ids.size() / 2);
}

TEST(RetentionConfigTest, EachValueMustBePositive) {
  auto config =
      service::ParseConfig("history { unmatched_retention_days: 0 }", "f.conf");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(config.status().message(),
            "f.conf: history.unmatched_retention_days: must be positive");

  for (const std::string field :
       {"hit_retention_days", "unmatched_retention_days",
        "retention_interval_minutes"}) {
    for (const std::string value : {"0", "-1"}) {
      const std::string text =
          core::StrCat("history { ", field, ": ", value, " }");
      auto parsed = service::ParseConfig(text, "f.conf");
      ASSERT_FALSE(parsed.ok()) << text;
      EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument)
          << text;
      EXPECT_THAT(parsed.status().message(),
                  HasSubstr(core::StrCat("history.", field, ": ")))
          << text;
    }
  }
}

TEST(RetentionConfigTest, ValuesAreReadAndDefaultsMatchTheStruct) {
  auto config = service::ParseConfig(
      "history { hit_retention_days: 30 unmatched_retention_days: 7 "
      "retention_interval_minutes: 5 }",
      "f.conf");
  ASSERT_TRUE(config.ok()) << config.status();
  const service::RetentionOptions read =
      service::RetentionOptionsFromConfig(config->history());
  EXPECT_EQ(read.hit_retention, Days(30));
  EXPECT_EQ(read.unmatched_retention, Days(7));
  EXPECT_EQ(read.interval, absl::Minutes(5));

  auto empty = service::ParseConfig("", "f.conf");
  ASSERT_TRUE(empty.ok()) << empty.status();
  const service::RetentionOptions from_config =
      service::RetentionOptionsFromConfig(empty->history());
  const service::RetentionOptions defaults;
  EXPECT_EQ(from_config.hit_retention, defaults.hit_retention);
  EXPECT_EQ(from_config.unmatched_retention, defaults.unmatched_retention);
  EXPECT_EQ(from_config.interval, defaults.interval);
  // The documented numbers.
  EXPECT_EQ(defaults.hit_retention, Days(400));
  EXPECT_EQ(defaults.unmatched_retention, Days(90));
  EXPECT_EQ(defaults.interval, absl::Minutes(60));
}

TEST(RetentionConfigTest, ServerOptionsRefuseAZeroInterval) {
  service::ServerOptions options;
  options.insecure = true;
  options.listen = "127.0.0.1:0";
  ASSERT_TRUE(service::ValidateServerOptions(options).ok());
  options.retention.interval = absl::ZeroDuration();
  const absl::Status s = service::ValidateServerOptions(options);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("retention_interval_minutes"));
}

}  // namespace
}  // namespace fraudgate
