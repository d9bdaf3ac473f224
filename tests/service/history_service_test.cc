// HistoryService.QueryHits against a real server with a controllable clock.
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

using testing::MakeIdentifier;
using testing::MakeReport;
using ::testing::SizeIs;

const absl::Time kStart = absl::FromCivil(
    absl::CivilSecond(2026, 11, 1, 8, 0, 0), absl::FixedTimeZone(7 * 3600));

class HistoryServiceTest : public ::testing::Test {
 public:
  void SetUp() override {
    service::ServerOptions options;
    options.clock = [this] { return kStart + absl::Minutes(minutes_.load()); };
    auto server = testing::TestServer::Start(dir_.path(), options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    ASSERT_TRUE(
        testing::Upload(
            server_->reports(),
            {MakeReport(
                 "R1", "A", v1::EXTORTION_DEEPFAKE, v1::CONFIRMED,
                 {MakeIdentifier(v1::BANK_ACCOUNT, "VCB", "0071001234567")}),
             MakeReport("R2", "A", v1::OTHER, v1::SUSPECTED,
                        {MakeIdentifier(v1::PHONE, "", "0912345678")})})
            .ok());
  }

  // Screens at kStart + `minute` minutes.
  void ScreenAt(int minute, const std::string& id, const std::string& account,
                const std::string& phone = "") {
    minutes_ = minute;
    v1::ScreenTransferRequest r;
    r.set_transfer_id(id);
    r.mutable_beneficiary()->set_bank("VCB");
    r.mutable_beneficiary()->set_account(account);
    r.mutable_beneficiary()->set_phone(phone);
    v1::ScreenTransferResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(
        server_->screening().ScreenTransfer(&context, r, &response).ok());
  }

  v1::QueryHitsResponse Query(const v1::QueryHitsRequest& request,
                              grpc::Status* status = nullptr) {
    v1::QueryHitsResponse response;
    grpc::ClientContext context;
    grpc::Status s = server_->history().QueryHits(&context, request, &response);
    if (status != nullptr)
      *status = s;
    else
      EXPECT_TRUE(s.ok()) << s.error_message();
    return response;
  }

  static std::vector<std::string> Ids(const v1::QueryHitsResponse& r) {
    std::vector<std::string> ids;
    for (const auto& h : r.hits()) ids.push_back(h.transfer_id());
    return ids;
  }

  std::atomic<int> minutes_{0};
  testing::TempDir dir_;
  std::unique_ptr<testing::TestServer> server_;
};

TEST_F(HistoryServiceTest, ByIdentifierInAnyFormNewestFirst) {
  ScreenAt(1, "a", "0071001234567");
  ScreenAt(2, "b", "999999999");  // ALLOW, not indexed
  ScreenAt(3, "c", "0071 0012 34567");
  ScreenAt(4, "d", "123456789", "+84 91 234 5678");
  v1::QueryHitsRequest request;
  *request.mutable_identifier() =
      MakeIdentifier(v1::BANK_ACCOUNT, "vietcombank", "0071-0012-34567");
  EXPECT_THAT(Ids(Query(request)), ::testing::ElementsAre("c", "a"));
  *request.mutable_identifier() = MakeIdentifier(v1::PHONE, "", "0912.345.678");
  EXPECT_THAT(Ids(Query(request)), ::testing::ElementsAre("d"));
  request.clear_identifier();
  EXPECT_THAT(Ids(Query(request)), ::testing::ElementsAre("d", "c", "b", "a"));
}

TEST_F(HistoryServiceTest, TimeRangeIsFromInclusiveToExclusive) {
  for (int i = 0; i < 6; ++i)
    ScreenAt(i * 10, core::StrCat("t", i), "0071001234567");
  v1::QueryHitsRequest request;
  *request.mutable_identifier() =
      MakeIdentifier(v1::BANK_ACCOUNT, "VCB", "0071001234567");
  *request.mutable_from() = ToProtoTime(kStart + absl::Minutes(10));
  *request.mutable_to() = ToProtoTime(kStart + absl::Minutes(40));
  EXPECT_THAT(Ids(Query(request)), ::testing::ElementsAre("t3", "t2", "t1"));
  request.clear_identifier();
  EXPECT_THAT(Ids(Query(request)), ::testing::ElementsAre("t3", "t2", "t1"));
}

// Pages of 5 over 23 hits return every hit once, newest first, while new
// (newer) screenings are written between pages.
void CheckPaging(HistoryServiceTest* t, bool by_identifier) {
  for (int i = 0; i < 23; ++i)
    t->ScreenAt(i, core::StrCat("p", i), "0071001234567");
  v1::QueryHitsRequest request;
  if (by_identifier) {
    *request.mutable_identifier() =
        MakeIdentifier(v1::BANK_ACCOUNT, "VCB", "0071001234567");
  }
  request.set_page_size(5);
  std::vector<std::string> all;
  int pages = 0;
  do {
    auto page = t->Query(request);
    for (const auto& id : HistoryServiceTest::Ids(page)) all.push_back(id);
    request.set_page_token(page.next_page_token());
    ++pages;
    t->ScreenAt(100 + pages, core::StrCat("new", pages), "0071001234567");
  } while (!request.page_token().empty());
  EXPECT_EQ(pages, 5);
  ASSERT_THAT(all, SizeIs(23));
  for (int i = 0; i < 23; ++i) EXPECT_EQ(all[i], core::StrCat("p", 22 - i));
}

TEST_F(HistoryServiceTest, PagesByIdentifierCoverEveryHitOnce) {
  CheckPaging(this, true);
}

TEST_F(HistoryServiceTest, PagesOfAllHitsCoverEveryHitOnce) {
  CheckPaging(this, false);
}

TEST_F(HistoryServiceTest, DecisionAndScoreFilters) {
  ScreenAt(1, "block", "0071001234567");
  ScreenAt(2, "warn", "123456789", "0912345678");
  ScreenAt(3, "allow", "123456789");
  v1::QueryHitsRequest request;
  request.add_decisions(v1::DECISION_WARN);
  EXPECT_THAT(Ids(Query(request)), ::testing::ElementsAre("warn"));
  request.clear_decisions();
  request.set_min_score(60);
  EXPECT_THAT(Ids(Query(request)), ::testing::ElementsAre("block"));
}

TEST_F(HistoryServiceTest, BadQueriesAreInvalidArgument) {
  const std::vector<
      std::pair<std::string, std::function<void(v1::QueryHitsRequest*)>>>
      cases = {
          {"page_size", [](auto* r) { r->set_page_size(1001); }},
          {"page_token", [](auto* r) { r->set_page_token("zz"); }},
          {"min_score", [](auto* r) { r->set_min_score(101); }},
          {"identifier.value",
           [](auto* r) {
             *r->mutable_identifier() = MakeIdentifier(v1::PHONE, "", "x");
           }},
          {"from",
           [](auto* r) {
             *r->mutable_from() = ToProtoTime(kStart);
             *r->mutable_to() = ToProtoTime(kStart);
           }},
      };
  for (const auto& [field, mutate] : cases) {
    v1::QueryHitsRequest request;
    mutate(&request);
    grpc::Status s;
    Query(request, &s);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << field;
    EXPECT_THAT(s.error_message(), ::testing::StartsWith(field)) << field;
  }
}

TEST_F(HistoryServiceTest, VerdictsReplaceTheOutcomeAndAllStayInHistory) {
  ScreenAt(1, "v", "0071001234567");
  auto page = Query({});
  ASSERT_EQ(page.hits_size(), 1);
  const std::string hit_id = page.hits(0).hit_id();

  auto record = [&](v1::Outcome outcome, const std::string& note,
                    v1::Hit* hit) {
    v1::RecordOutcomeRequest request;
    request.set_hit_id(hit_id);
    request.set_outcome(outcome);
    request.set_note(note);
    grpc::ClientContext context;
    return server_->history().RecordOutcome(&context, request, hit);
  };
  v1::Hit hit;
  minutes_ = 30;
  ASSERT_TRUE(record(v1::CUSTOMER_ABORTED, "khách hủy giao dịch", &hit).ok());
  minutes_ = 90;
  ASSERT_TRUE(record(v1::CONFIRMED_FRAUD, "police confirmed", &hit).ok());
  EXPECT_EQ(hit.outcome(), v1::CONFIRMED_FRAUD);
  EXPECT_EQ(hit.outcome_note(), "police confirmed");
  EXPECT_EQ(hit.outcome_by(), "admin/insecure");
  EXPECT_EQ(FromProtoTime(hit.outcome_at()), kStart + absl::Minutes(90));
  ASSERT_EQ(hit.outcome_history_size(), 2);
  EXPECT_EQ(hit.outcome_history(0).outcome(), v1::CUSTOMER_ABORTED);
  EXPECT_EQ(hit.outcome_history(0).note(), "khách hủy giao dịch");
  EXPECT_EQ(FromProtoTime(hit.outcome_history(0).at()),
            kStart + absl::Minutes(30));
  EXPECT_EQ(hit.outcome_history(1).outcome(), v1::CONFIRMED_FRAUD);

  // GetHit and QueryHits show the same record; the screening is unchanged.
  v1::GetHitRequest get;
  get.set_hit_id(hit_id);
  v1::Hit got;
  grpc::ClientContext context;
  ASSERT_TRUE(server_->history().GetHit(&context, get, &got).ok());
  EXPECT_EQ(got.SerializeAsString(), hit.SerializeAsString());
  EXPECT_EQ(got.decision(), v1::DECISION_BLOCK);
  EXPECT_EQ(Query({}).hits(0).outcome_history_size(), 2);
}

TEST_F(HistoryServiceTest, VerdictAndGetHitErrors) {
  ScreenAt(1, "e", "0071001234567");
  const std::string hit_id = Query({}).hits(0).hit_id();
  struct Case {
    std::string hit_id;
    v1::Outcome outcome;
    std::string note;
    grpc::StatusCode code;
    std::string field;
  };
  const std::vector<Case> cases = {
      {hit_id, v1::OUTCOME_UNSPECIFIED, "", grpc::StatusCode::INVALID_ARGUMENT,
       "outcome"},
      {hit_id, v1::FALSE_POSITIVE, std::string(2001, 'x'),
       grpc::StatusCode::INVALID_ARGUMENT, "note"},
      {"000000000000000000000000", v1::FALSE_POSITIVE, "",
       grpc::StatusCode::NOT_FOUND, "hit_id"},
      {"not-a-hit", v1::FALSE_POSITIVE, "", grpc::StatusCode::NOT_FOUND,
       "hit_id"},
  };
  for (const Case& c : cases) {
    v1::RecordOutcomeRequest request;
    request.set_hit_id(c.hit_id);
    request.set_outcome(c.outcome);
    request.set_note(c.note);
    v1::Hit hit;
    grpc::ClientContext context;
    grpc::Status s = server_->history().RecordOutcome(&context, request, &hit);
    EXPECT_EQ(s.error_code(), c.code) << c.field;
    EXPECT_THAT(s.error_message(), ::testing::StartsWith(c.field)) << c.field;
  }
  EXPECT_EQ(Query({}).hits(0).outcome_history_size(), 0);
  v1::GetHitRequest get;
  get.set_hit_id("000000000000000000000000");
  v1::Hit got;
  grpc::ClientContext context;
  EXPECT_EQ(server_->history().GetHit(&context, get, &got).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(HistoryServiceTest, StatsCountDecisionsAndTopIdentifiersInAWindow) {
  ScreenAt(1, "s1", "0071001234567");            // BLOCK, account
  ScreenAt(2, "s2", "0071001234567");            // BLOCK, account
  ScreenAt(3, "s3", "123456789", "0912345678");  // WARN, phone
  ScreenAt(4, "s4", "123456789");                // ALLOW
  ScreenAt(50, "late", "0071001234567");         // outside the window
  auto stats = [&](int from, int to, int top_n) {
    v1::HitStatsRequest request;
    *request.mutable_from() = ToProtoTime(kStart + absl::Minutes(from));
    *request.mutable_to() = ToProtoTime(kStart + absl::Minutes(to));
    request.set_top_n(top_n);
    v1::HitStatsResponse response;
    grpc::ClientContext context;
    grpc::Status s = server_->history().HitStats(&context, request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return response;
  };
  v1::HitStatsResponse r = stats(1, 10, 0);
  EXPECT_EQ(r.screenings(), 4);
  EXPECT_FALSE(r.truncated());
  ASSERT_EQ(r.by_decision_size(), 4);
  EXPECT_EQ(r.by_decision(0).decision(), v1::DECISION_ALLOW);
  EXPECT_EQ(r.by_decision(0).count(), 1);
  EXPECT_EQ(r.by_decision(1).count(), 1);  // WARN
  EXPECT_EQ(r.by_decision(2).count(), 0);  // HOLD
  EXPECT_EQ(r.by_decision(3).count(), 2);  // BLOCK
  ASSERT_EQ(r.top_identifiers_size(), 2);
  EXPECT_EQ(r.top_identifiers(0).identifier().value(), "0071001234567");
  EXPECT_EQ(r.top_identifiers(0).hits(), 2);
  EXPECT_EQ(r.top_identifiers(1).identifier().value(), "+84912345678");
  EXPECT_EQ(r.top_identifiers(1).hits(), 1);
  // One day (Vietnam time), with the same counts.
  ASSERT_EQ(r.by_day_size(), 1);
  EXPECT_EQ(r.by_day(0).day(), absl::FormatCivilTime(absl::ToCivilDay(
                                   kStart, absl::FixedTimeZone(7 * 3600))));
  ASSERT_EQ(r.by_day(0).by_decision_size(), 4);
  EXPECT_EQ(r.by_day(0).by_decision(0).count(), 1);  // ALLOW
  EXPECT_EQ(r.by_day(0).by_decision(1).count(), 1);  // WARN
  EXPECT_EQ(r.by_day(0).by_decision(2).count(), 0);  // HOLD
  EXPECT_EQ(r.by_day(0).by_decision(3).count(), 2);  // BLOCK

  EXPECT_EQ(stats(1, 10, 1).top_identifiers_size(), 1);
  // [2, 3): only s2.
  v1::HitStatsResponse one = stats(2, 3, 0);
  EXPECT_EQ(one.screenings(), 1);
  EXPECT_EQ(one.by_decision(3).count(), 1);

  // Default window: the 24 h before now (the clock is at minute 50).
  v1::HitStatsRequest defaults;
  v1::HitStatsResponse all;
  grpc::ClientContext context;
  ASSERT_TRUE(server_->history().HitStats(&context, defaults, &all).ok());
  EXPECT_EQ(all.screenings(), 4);  // `late` is at now: excluded

  v1::HitStatsRequest bad;
  bad.set_top_n(1001);
  grpc::ClientContext bad_context;
  grpc::Status s = server_->history().HitStats(&bad_context, bad, &all);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), ::testing::StartsWith("top_n"));
}

}  // namespace
}  // namespace fraudgate
