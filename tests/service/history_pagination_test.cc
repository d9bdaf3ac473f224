// HistoryService.QueryHits pagination under concurrent writes, against a real
// server: while two writers keep screening transfers, paging newest first with
// a small page size returns every hit that existed when paging began exactly
// once, repeats none, and keeps the newest-first order across page boundaries,
// also between hits that share a screened_at time.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

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

using ::testing::IsEmpty;
using testing::MakeIdentifier;
using testing::MakeReport;

const absl::Time kStart = absl::FromCivil(
    absl::CivilSecond(2026, 11, 1, 8, 0, 0), absl::FixedTimeZone(7 * 3600));

// The server's clock moves one millisecond every kScreeningsPerTick reads, so
// runs of hits share a screened_at time and page boundaries fall inside them.
constexpr int64_t kScreeningsPerTick = 8;
constexpr char kListedAccount[] = "0123456789";
constexpr int kListedBeforePaging = 600;
constexpr int kOtherEvery = 10;  // one ALLOW screening per 10 listed ones
constexpr int kPageSize = 37;
constexpr int kWriters = 2;
constexpr int kMaxPages = 1000;  // stops a paging loop that never ends
constexpr auto kWaitLimit = std::chrono::seconds(5);

// What one writer thread did.
struct WriterLog {
  std::vector<std::string> hit_ids;         // every hit it recorded
  std::vector<std::string> listed_hit_ids;  // those to the listed account
  int failures = 0;
  std::string first_failure;
};

// One paging run: the hits of every page in order, and the writers' logs.
struct PagingRun {
  std::vector<v1::Hit> hits;
  int pages = 0;
  // Pages after which the reader saw a writer finish a screening before it
  // asked for the next page (or stopped the writers).
  int pages_followed_by_writes = 0;
  // Screenings the writers completed between the first page request and the
  // end of paging.
  int64_t writes_during_paging = 0;
  // Page boundaries whose two sides have the same screened_at.
  int boundaries_inside_a_time = 0;
  std::vector<WriterLog> writers;
};

// Waits until `counter` exceeds `value`; false after kWaitLimit.
bool WaitPast(const std::atomic<int64_t>& counter, int64_t value) {
  const auto deadline = std::chrono::steady_clock::now() + kWaitLimit;
  while (counter.load() <= value) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  return true;
}

class HistoryPaginationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    service::ServerOptions options;
    options.clock = [this] {
      return kStart +
             absl::Milliseconds(ticks_.fetch_add(1) / kScreeningsPerTick);
    };
    auto server = testing::TestServer::Start(dir_.path(), options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    auto summary = testing::Upload(
        server_->reports(),
        {MakeReport(
            "R1", "A", v1::EXTORTION_DEEPFAKE, v1::CONFIRMED,
            {MakeIdentifier(v1::BANK_ACCOUNT, "VCB", kListedAccount)})});
    ASSERT_TRUE(summary.ok()) << summary.status();
    ASSERT_EQ(summary->reports_accepted(), 1);

    for (int i = 0; i < kListedBeforePaging; ++i) {
      v1::ScreenTransferResponse listed;
      grpc::Status s =
          Screen(core::StrCat("pre-listed-", i), kListedAccount, &listed);
      ASSERT_TRUE(s.ok()) << s.error_message();
      ASSERT_EQ(listed.decision(), v1::DECISION_BLOCK);
      ASSERT_FALSE(listed.hit_id().empty());
      ASSERT_GT(listed.reasons_size(), 0);
      canonical_ = listed.reasons(0).identifier();
      pre_listed_ids_.push_back(listed.hit_id());
      pre_all_ids_.push_back(listed.hit_id());
      if (i % kOtherEvery != 0) continue;
      v1::ScreenTransferResponse other;
      s = Screen(core::StrCat("pre-other-", i), OtherAccount(0, i), &other);
      ASSERT_TRUE(s.ok()) << s.error_message();
      ASSERT_EQ(other.decision(), v1::DECISION_ALLOW);
      ASSERT_FALSE(other.hit_id().empty());
      pre_all_ids_.push_back(other.hit_id());
    }
  }

  // A valid, unlisted account, distinct per (writer, n); writer 0 is setup.
  static std::string OtherAccount(int writer, int n) {
    return core::StrCat("55", writer, 10000000 + n);
  }

  // Screens a transfer to Vietcombank `account` with its own ClientContext.
  grpc::Status Screen(const std::string& transfer_id,
                      const std::string& account,
                      v1::ScreenTransferResponse* response) {
    v1::ScreenTransferRequest request;
    request.set_transfer_id(transfer_id);
    request.set_amount(20'000'000);
    request.mutable_beneficiary()->set_bank("VCB");
    request.mutable_beneficiary()->set_account(account);
    grpc::ClientContext context;
    return server_->screening().ScreenTransfer(&context, request, response);
  }

  // Screens transfers, alternately to the listed account and to others,
  // until `stop`; counts each successful one in `*writes`.
  void Write(int writer, const std::atomic<bool>& stop,
             std::atomic<int64_t>* writes, WriterLog* log) {
    for (int n = 0; !stop.load(); ++n) {
      const bool listed = n % 2 == 0;
      v1::ScreenTransferResponse response;
      const grpc::Status s =
          Screen(core::StrCat("w", writer, "-", n),
                 listed ? kListedAccount : OtherAccount(writer, n), &response);
      const v1::Decision want =
          listed ? v1::DECISION_BLOCK : v1::DECISION_ALLOW;
      if (!s.ok() || response.decision() != want || response.hit_id().empty()) {
        if (log->failures++ == 0) {
          log->first_failure =
              core::StrCat("w", writer, "-", n, ": ", s.error_message(), " ",
                           response.ShortDebugString());
        }
        continue;
      }
      log->hit_ids.push_back(response.hit_id());
      if (listed) log->listed_hit_ids.push_back(response.hit_id());
      writes->fetch_add(1);
    }
  }

  // Pages through QueryHits (`request`'s filter, kPageSize) from the newest
  // hit to the last page while kWriters threads keep screening; between two
  // pages the reader waits until a writer has completed a screening.
  PagingRun PageUnderWrites(v1::QueryHitsRequest request) {
    PagingRun run;
    run.writers.resize(kWriters);
    std::atomic<bool> stop{false};
    std::atomic<int64_t> writes{0};
    std::vector<std::thread> threads;
    for (int w = 0; w < kWriters; ++w) {
      threads.emplace_back([this, w, &stop, &writes, &run] {
        Write(w + 1, stop, &writes, &run.writers[w]);
      });
    }

    EXPECT_TRUE(WaitPast(writes, 0)) << "the writers never wrote";
    const int64_t writes_before = writes.load();
    request.set_page_size(kPageSize);
    do {
      const int64_t writes_at_request = writes.load();
      v1::QueryHitsResponse page;
      grpc::ClientContext context;
      const grpc::Status s =
          server_->history().QueryHits(&context, request, &page);
      if (!s.ok()) {
        ADD_FAILURE() << "page " << run.pages << ": " << s.error_message();
        break;
      }
      EXPECT_LE(page.hits_size(), kPageSize);
      if (!run.hits.empty() && page.hits_size() > 0 &&
          page.hits(0).screened_at().SerializeAsString() ==
              run.hits.back().screened_at().SerializeAsString()) {
        ++run.boundaries_inside_a_time;
      }
      for (const v1::Hit& hit : page.hits()) run.hits.push_back(hit);
      ++run.pages;
      if (WaitPast(writes, writes_at_request)) ++run.pages_followed_by_writes;
      request.set_page_token(page.next_page_token());
    } while (!request.page_token().empty() && run.pages < kMaxPages);
    EXPECT_LT(run.pages, kMaxPages) << "paging never ended";
    run.writes_during_paging = writes.load() - writes_before;

    stop = true;
    for (std::thread& t : threads) t.join();
    return run;
  }

  // Checks what every run must show: the writers succeeded and wrote during
  // paging, the pages hold every id of `before` exactly once and no id twice,
  // newest first across page boundaries, and nothing but ids in `known`.
  static void ExpectEveryHitOnceNewestFirst(
      const PagingRun& run, const std::vector<std::string>& before,
      const std::set<std::string>& known) {
    for (size_t w = 0; w < run.writers.size(); ++w) {
      EXPECT_EQ(run.writers[w].failures, 0)
          << "writer " << w + 1 << ": " << run.writers[w].first_failure;
    }
    EXPECT_GT(run.writes_during_paging, 0);
    EXPECT_EQ(run.pages_followed_by_writes, run.pages);
    EXPECT_GE(run.pages, static_cast<int>(before.size()) / kPageSize);
    // With kScreeningsPerTick hits per time, some boundary must split one;
    // otherwise the tie order across pages was not exercised.
    EXPECT_GT(run.boundaries_inside_a_time, 0);

    std::map<std::string, int> seen;
    std::vector<std::string> repeated;
    std::vector<std::string> unknown;
    for (const v1::Hit& hit : run.hits) {
      if (++seen[hit.hit_id()] == 2) repeated.push_back(hit.hit_id());
      if (!known.contains(hit.hit_id())) unknown.push_back(hit.hit_id());
    }
    EXPECT_THAT(repeated, IsEmpty());
    EXPECT_THAT(unknown, IsEmpty());
    std::vector<std::string> skipped;
    for (const std::string& id : before) {
      if (!seen.contains(id)) skipped.push_back(id);
    }
    EXPECT_THAT(skipped, IsEmpty())
        << skipped.size() << " of " << before.size() << " earlier hits skipped";

    int out_of_order = 0;
    for (size_t i = 1; i < run.hits.size(); ++i) {
      const v1::Hit& newer = run.hits[i - 1];
      const v1::Hit& older = run.hits[i];
      const absl::Time newer_at = FromProtoTime(newer.screened_at());
      const absl::Time older_at = FromProtoTime(older.screened_at());
      if (older_at > newer_at ||
          (older_at == newer_at && older.hit_id() >= newer.hit_id())) {
        if (++out_of_order <= 5) {
          ADD_FAILURE() << "hit " << i << " (" << older.hit_id() << " at "
                        << older_at << ") comes after " << newer.hit_id()
                        << " at " << newer_at;
        }
      }
    }
    EXPECT_EQ(out_of_order, 0);
  }

  std::atomic<int64_t> ticks_{0};
  testing::TempDir dir_;
  std::unique_ptr<testing::TestServer> server_;
  v1::Identifier canonical_;  // the listed account, as the server states it
  std::vector<std::string> pre_listed_ids_;  // hits to it before paging
  std::vector<std::string> pre_all_ids_;     // every hit before paging
};

TEST_F(HistoryPaginationTest, ByIdentifierEveryEarlierHitOnceUnderWrites) {
  v1::QueryHitsRequest request;
  // Another input form of the listed account: bank name, grouped digits.
  *request.mutable_identifier() =
      MakeIdentifier(v1::BANK_ACCOUNT, "Vietcombank", "0123 456 789");
  const PagingRun run = PageUnderWrites(request);

  std::set<std::string> listed(pre_listed_ids_.begin(), pre_listed_ids_.end());
  for (const WriterLog& log : run.writers) {
    listed.insert(log.listed_hit_ids.begin(), log.listed_hit_ids.end());
  }
  ExpectEveryHitOnceNewestFirst(run, pre_listed_ids_, listed);
  for (const v1::Hit& hit : run.hits) {
    EXPECT_EQ(hit.decision(), v1::DECISION_BLOCK) << hit.hit_id();
    EXPECT_EQ(hit.beneficiary().ShortDebugString(),
              canonical_.ShortDebugString())
        << hit.hit_id();
  }
}

TEST_F(HistoryPaginationTest, AllHitsEveryEarlierHitOnceUnderWrites) {
  const PagingRun run = PageUnderWrites(v1::QueryHitsRequest());

  std::set<std::string> all(pre_all_ids_.begin(), pre_all_ids_.end());
  for (const WriterLog& log : run.writers) {
    all.insert(log.hit_ids.begin(), log.hit_ids.end());
  }
  ExpectEveryHitOnceNewestFirst(run, pre_all_ids_, all);
}

}  // namespace
}  // namespace fraudgate
