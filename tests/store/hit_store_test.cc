// HitStore against a real RocksDB in a unique temp dir: hit ids, per-caller
// idempotency (also under concurrency), queries with their filters and page
// tokens, durability across a reopen, and injected write and read faults.
#include "store/hit_store.h"

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <latch>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/blocking_counter.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "core/identifier.h"
#include "fraudgate/v1/fraudgate.pb.h"
#include "fraudgate/v1/storage.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "proto/proto_time.h"
#include "store/hmac_key.h"
#include "store/store.h"
#include "store/store_options.h"
#include "tests/testing/fault_env.h"
#include "tests/testing/matchers.h"
#include "tests/testing/proto_printer.h"
#include "tests/testing/store_fixture.h"

namespace fraudgate::store {
namespace {

using ::fraudgate::testing::EqualsProto;
using ::fraudgate::testing::StoreFixture;
using ::fraudgate::testing::T;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::Optional;
using ::testing::SizeIs;

std::string PhoneKey(std::string value) {
  return core::Identifier{core::IdentifierKind::kPhone, "", std::move(value)}
      .Key();
}

const std::string kKeyA = PhoneKey("+84329123456");
const std::string kKeyB =
    core::Identifier{core::IdentifierKind::kBankAccount, "970436", "0123456789"}
        .Key();
// kKeyA is a prefix of this one: the index must still keep them apart.
const std::string kKeyALonger = PhoneKey("+843291234567");

// A HitQuery built with chained setters (designated initializers that leave
// fields out draw -Wmissing-field-initializers from GCC).
class Q {
 public:
  Q& key(std::string k) {
    q_.identifier_key = std::move(k);
    return *this;
  }
  Q& from(absl::Time t) {
    q_.from = t;
    return *this;
  }
  Q& to(absl::Time t) {
    q_.to = t;
    return *this;
  }
  Q& decisions(std::vector<v1::Decision> d) {
    q_.decisions = std::move(d);
    return *this;
  }
  Q& min_score(int s) {
    q_.min_score = s;
    return *this;
  }
  Q& page_size(int n) {
    q_.page_size = n;
    return *this;
  }
  Q& token(std::string t) {
    q_.page_token = std::move(t);
    return *this;
  }
  operator HitQuery() const { return q_; }  // NOLINT: implicit on purpose

 private:
  HitQuery q_;
};

bool IsLowerHex(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  });
}

std::vector<std::string> IdsOf(const std::vector<v1::HitRecord>& hits) {
  std::vector<std::string> ids;
  for (const auto& h : hits) ids.push_back(h.hit().hit_id());
  return ids;
}

class HitStoreTest : public StoreFixture {
 protected:
  HitStore& hits() { return store_->hits(); }

  v1::HitRecord MakeHit(const std::string& caller,
                        const std::string& transfer_id, absl::Time at,
                        v1::Decision decision = v1::DECISION_WARN,
                        int score = 40) {
    v1::HitRecord record;
    v1::Hit* hit = record.mutable_hit();
    hit->set_hit_id(hits().NewHitId(at));
    hit->set_transfer_id(transfer_id);
    hit->set_caller(caller);
    *hit->mutable_screened_at() = ToProtoTime(at);
    hit->set_decision(decision);
    hit->set_score(score);
    hit->set_list_version(7);
    hit->set_amount(5'000'000);
    hit->set_currency("VND");
    record.set_customer_message("Canh bao: tai khoan nhan bi to giac.");
    return record;
  }

  // Stores `record` as a new hit, failing the test if it is not new. The
  // record gets the index entries noted in it, as stored.
  void Put(v1::HitRecord& record, std::vector<std::string> keys = {},
           std::vector<std::string> beneficiary_keys = {}) {
    auto put = hits().PutIfAbsent(&record, keys, beneficiary_keys);
    ASSERT_TRUE(put.ok()) << put.status();
    ASSERT_EQ(*put, std::nullopt) << "transfer already had a hit";
  }
  void Put(v1::HitRecord&& record, std::vector<std::string> keys = {},
           std::vector<std::string> beneficiary_keys = {}) {
    Put(record, std::move(keys), std::move(beneficiary_keys));
  }

  // Every page of `query`, in order; fails the test past `max_pages`.
  std::vector<std::vector<v1::HitRecord>> AllPages(HitQuery query,
                                                   int max_pages = 1000) {
    std::vector<std::vector<v1::HitRecord>> pages;
    for (int i = 0; i < max_pages; ++i) {
      auto page = hits().Query(query);
      EXPECT_TRUE(page.ok()) << page.status();
      if (!page.ok()) return pages;
      pages.push_back(page->hits);
      if (page->next_page_token.empty()) return pages;
      query.page_token = page->next_page_token;
    }
    ADD_FAILURE() << "more than " << max_pages << " pages";
    return pages;
  }

  std::vector<v1::HitRecord> QueryAll(HitQuery query) {
    std::vector<v1::HitRecord> all;
    for (auto& page : AllPages(std::move(query))) {
      for (auto& hit : page) all.push_back(std::move(hit));
    }
    return all;
  }
};

TEST_F(HitStoreTest, NewHitIdIs24LowerHexCharacters) {
  for (absl::Time at : {T(0), T(1), absl::FromUnixMicros(1),
                        absl::FromUnixSeconds(4'102'444'800)}) {
    const std::string id = hits().NewHitId(at);
    EXPECT_EQ(id.size(), 24u) << id;
    EXPECT_TRUE(IsLowerHex(id)) << id;
  }
}

TEST_F(HitStoreTest, NewHitIdIsUniqueAcross100kCalls) {
  std::set<std::string> ids;
  for (int i = 0; i < 100'000; ++i) ids.insert(hits().NewHitId(T(0)));
  EXPECT_EQ(ids.size(), 100'000u);
}

TEST_F(HitStoreTest, NewHitIdIsOrderedByTime) {
  std::string previous = hits().NewHitId(T(0));
  // Microsecond steps, then ever larger ones.
  for (int64_t step : {int64_t{1}, int64_t{999}, int64_t{1'000'000},
                       int64_t{86'400'000'000}}) {
    absl::Time at = T(0);
    for (int i = 0; i < 200; ++i) {
      at += absl::Microseconds(step);
      const std::string id = hits().NewHitId(at);
      ASSERT_LT(previous, id) << "step " << step << " i " << i;
      previous = id;
    }
  }
  // Ordered by time, not by call order.
  const std::string later = hits().NewHitId(T(1000));
  const std::string earlier = hits().NewHitId(T(999));
  EXPECT_LT(earlier, later);
}

TEST_F(HitStoreTest, PutFindGetRoundTrip) {
  v1::HitRecord record = MakeHit("vcb", "TX-1", T(10));
  ASSERT_NO_FATAL_FAILURE(Put(record, {kKeyA}));

  ASSERT_OK_AND_ASSIGN(auto found, hits().FindByTransfer("vcb", "TX-1"));
  EXPECT_THAT(found, Optional(EqualsProto(record)));
  ASSERT_OK_AND_ASSIGN(auto got, hits().Get(record.hit().hit_id()));
  EXPECT_THAT(got, Optional(EqualsProto(record)));

  // Unknown or malformed: nothing, not an error.
  ASSERT_OK_AND_ASSIGN(auto none, hits().FindByTransfer("vcb", "TX-2"));
  EXPECT_EQ(none, std::nullopt);
  ASSERT_OK_AND_ASSIGN(auto other_caller, hits().FindByTransfer("tcb", "TX-1"));
  EXPECT_EQ(other_caller, std::nullopt);
  ASSERT_OK_AND_ASSIGN(auto unknown, hits().Get(hits().NewHitId(T(10))));
  EXPECT_EQ(unknown, std::nullopt);
  ASSERT_OK_AND_ASSIGN(auto malformed, hits().Get("not-a-hit-id"));
  EXPECT_EQ(malformed, std::nullopt);
}

TEST_F(HitStoreTest, PutWithMalformedHitIdIsInvalidArgument) {
  v1::HitRecord record = MakeHit("vcb", "TX-1", T(10));
  record.mutable_hit()->set_hit_id("xyz");
  auto put = hits().PutIfAbsent(&record, {kKeyA});
  EXPECT_EQ(put.status().code(), absl::StatusCode::kInvalidArgument)
      << put.status();
  ASSERT_OK_AND_ASSIGN(auto found, hits().FindByTransfer("vcb", "TX-1"));
  EXPECT_EQ(found, std::nullopt);
}

TEST_F(HitStoreTest, SecondPutOfATransferReturnsTheFirstAndWritesNothing) {
  v1::HitRecord first = MakeHit("vcb", "TX-1", T(10), v1::DECISION_HOLD, 70);
  ASSERT_NO_FATAL_FAILURE(Put(first, {kKeyA}));

  v1::HitRecord second = MakeHit("vcb", "TX-1", T(20), v1::DECISION_BLOCK, 95);
  ASSERT_OK_AND_ASSIGN(auto existing, hits().PutIfAbsent(&second, {kKeyB}));
  EXPECT_THAT(existing, Optional(EqualsProto(first)));

  ASSERT_OK_AND_ASSIGN(auto got, hits().Get(second.hit().hit_id()));
  EXPECT_EQ(got, std::nullopt);
  ASSERT_OK_AND_ASSIGN(auto found, hits().FindByTransfer("vcb", "TX-1"));
  EXPECT_THAT(found, Optional(EqualsProto(first)));
  // Neither the hit nor its index entries were written.
  EXPECT_THAT(IdsOf(QueryAll(Q())), ElementsAre(first.hit().hit_id()));
  EXPECT_THAT(QueryAll(Q().key(kKeyB)), IsEmpty());
}

TEST_F(HitStoreTest, SameTransferIdFromAnotherCallerIsAnotherHit) {
  v1::HitRecord vcb = MakeHit("vcb", "TX-1", T(10));
  v1::HitRecord tcb = MakeHit("tcb", "TX-1", T(11));
  ASSERT_NO_FATAL_FAILURE(Put(vcb, {kKeyA}));
  ASSERT_NO_FATAL_FAILURE(Put(tcb, {kKeyA}));

  ASSERT_OK_AND_ASSIGN(auto found_vcb, hits().FindByTransfer("vcb", "TX-1"));
  EXPECT_THAT(found_vcb, Optional(EqualsProto(vcb)));
  ASSERT_OK_AND_ASSIGN(auto found_tcb, hits().FindByTransfer("tcb", "TX-1"));
  EXPECT_THAT(found_tcb, Optional(EqualsProto(tcb)));
  EXPECT_THAT(IdsOf(QueryAll(Q().key(kKeyA))),
              ElementsAre(tcb.hit().hit_id(), vcb.hit().hit_id()));
}

TEST_F(HitStoreTest, CallerAndTransferIdDoNotRunTogether) {
  // ("ab", "c") and ("a", "bc") are different transfers.
  ASSERT_NO_FATAL_FAILURE(Put(MakeHit("ab", "c", T(1))));
  ASSERT_NO_FATAL_FAILURE(Put(MakeHit("a", "bc", T(2))));
  EXPECT_THAT(QueryAll(Q()), SizeIs(2));
}

TEST_F(HitStoreTest, ConcurrentPutsOfOneTransferStoreExactlyOneHit) {
  constexpr int kThreads = 8;
  constexpr int kRounds = 25;
  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE(round);
    const std::string transfer_id = "TX-" + std::to_string(round);
    std::vector<v1::HitRecord> records;
    for (int t = 0; t < kThreads; ++t) {
      records.push_back(
          MakeHit("vcb", transfer_id, T(round) + absl::Microseconds(t)));
    }
    std::vector<absl::StatusOr<std::optional<v1::HitRecord>>> results(
        kThreads, absl::UnknownError("not run"));
    std::latch start(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        start.arrive_and_wait();
        results[t] = hits().PutIfAbsent(
            &records[t], {PhoneKey("+8490000000" + std::to_string(t))});
      });
    }
    for (auto& thread : threads) thread.join();

    int writers = 0;
    std::set<std::string> seen;
    for (int t = 0; t < kThreads; ++t) {
      ASSERT_TRUE(results[t].ok()) << results[t].status();
      if (results[t]->has_value()) {
        seen.insert((*results[t])->hit().hit_id());
      } else {
        ++writers;
        seen.insert(records[t].hit().hit_id());
      }
    }
    EXPECT_EQ(writers, 1);
    ASSERT_THAT(seen, SizeIs(1));
    const std::string winner = *seen.begin();
    ASSERT_OK_AND_ASSIGN(auto found, hits().FindByTransfer("vcb", transfer_id));
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(found->hit().hit_id(), winner);
    for (int t = 0; t < kThreads; ++t) {
      if (records[t].hit().hit_id() == winner) continue;
      ASSERT_OK_AND_ASSIGN(auto loser, hits().Get(records[t].hit().hit_id()));
      EXPECT_EQ(loser, std::nullopt);
    }
  }
  EXPECT_THAT(QueryAll(Q()), SizeIs(kRounds));
}

// Hits queued together are written as one group: repeats of a transfer
// inside the group, and of one written before, get the first hit.
TEST_F(HitStoreTest, AsyncPutsOfRepeatedTransfersRecordEachOnce) {
  v1::HitRecord before = MakeHit("vcb", "TX-0", T(0));
  ASSERT_OK_AND_ASSIGN(auto put, hits().PutIfAbsent(&before, {}));
  ASSERT_EQ(put, std::nullopt);
  constexpr int kTransfers = 10, kRepeats = 5;
  absl::BlockingCounter done(kTransfers * kRepeats);
  absl::Mutex mu;
  std::vector<absl::StatusOr<HitStore::PutResult>> results;
  for (int r = 0; r < kRepeats; ++r) {
    for (int t = 0; t < kTransfers; ++t) {
      hits().PutIfAbsentAsync(
          MakeHit("vcb", "TX-" + std::to_string(t),
                  T(1) + absl::Microseconds(r * kTransfers + t)),
          {}, {}, [&](absl::StatusOr<HitStore::PutResult> result) {
            {
              absl::MutexLock lock(&mu);
              results.push_back(std::move(result));
            }
            done.DecrementCount();
          });
    }
  }
  done.Wait();
  absl::MutexLock lock(&mu);
  std::map<std::string, std::set<std::string>> ids;  // transfer -> hit ids
  int written = 0;
  for (const auto& r : results) {
    ASSERT_TRUE(r.ok()) << r.status();
    ids[r->record.hit().transfer_id()].insert(r->record.hit().hit_id());
    written += !r->existed;
  }
  EXPECT_EQ(written, kTransfers - 1);  // TX-0 was there before
  ASSERT_THAT(ids, SizeIs(kTransfers));
  EXPECT_THAT(ids["TX-0"], ElementsAre(before.hit().hit_id()));
  for (const auto& [transfer, hit_ids] : ids) {
    ASSERT_THAT(hit_ids, SizeIs(1)) << transfer;
    ASSERT_OK_AND_ASSIGN(auto found, hits().FindByTransfer("vcb", transfer));
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(found->hit().hit_id(), *hit_ids.begin());
  }
}

// A `done` runs on the writer thread: a synchronous put from there would
// wait for itself, and is refused instead.
TEST_F(HitStoreTest, SyncPutFromTheWriterThreadIsRefused) {
  absl::Notification finished;
  absl::Status nested;
  hits().PutIfAbsentAsync(MakeHit("vcb", "TX-1", T(1)), {}, {},
                          [&](absl::StatusOr<HitStore::PutResult> put) {
                            EXPECT_TRUE(put.ok()) << put.status();
                            EXPECT_TRUE(hits().IsWriterThread());
                            v1::HitRecord inner = MakeHit("vcb", "TX-2", T(2));
                            nested = hits().PutIfAbsent(&inner, {}).status();
                            finished.Notify();
                          });
  finished.WaitForNotification();
  EXPECT_EQ(nested.code(), absl::StatusCode::kInternal) << nested;
  EXPECT_FALSE(hits().IsWriterThread());
  ASSERT_OK_AND_ASSIGN(auto second, hits().FindByTransfer("vcb", "TX-2"));
  EXPECT_EQ(second, std::nullopt);
}

TEST_F(HitStoreTest, QueryReturnsNewestFirst) {
  // Written out of time order.
  std::vector<v1::HitRecord> records;
  for (int s : {5, 1, 9, 3, 7, 2, 8, 0, 6, 4}) {
    records.push_back(MakeHit("vcb", "TX-" + std::to_string(s), T(s)));
    ASSERT_NO_FATAL_FAILURE(Put(records.back()));
  }
  ASSERT_OK_AND_ASSIGN(HitPage page, hits().Query(Q()));
  EXPECT_TRUE(page.next_page_token.empty());
  ASSERT_THAT(page.hits, SizeIs(10));
  for (size_t i = 0; i < page.hits.size(); ++i) {
    EXPECT_EQ(FromProtoTime(page.hits[i].hit().screened_at()),
              T(9 - static_cast<int64_t>(i)));
  }
  // Whole records come back.
  const auto newest = std::find_if(
      records.begin(), records.end(),
      [](const v1::HitRecord& r) { return r.hit().transfer_id() == "TX-9"; });
  EXPECT_THAT(page.hits[0], EqualsProto(*newest));
}

TEST_F(HitStoreTest, QueryByIdentifierReturnsOnlyHitsIndexedUnderIt) {
  v1::HitRecord h1 = MakeHit("vcb", "TX-1", T(1));
  v1::HitRecord h2 = MakeHit("vcb", "TX-2", T(2));
  v1::HitRecord h3 = MakeHit("vcb", "TX-3", T(3));
  v1::HitRecord h4 = MakeHit("vcb", "TX-4", T(4));
  v1::HitRecord h5 = MakeHit("vcb", "TX-5", T(5));
  ASSERT_NO_FATAL_FAILURE(Put(h1, {kKeyA}));
  ASSERT_NO_FATAL_FAILURE(Put(h2, {kKeyB}));
  ASSERT_NO_FATAL_FAILURE(Put(h3, {kKeyA, kKeyB}));
  ASSERT_NO_FATAL_FAILURE(Put(h4, {}));
  ASSERT_NO_FATAL_FAILURE(Put(h5, {kKeyALonger}));

  EXPECT_THAT(IdsOf(QueryAll(Q().key(kKeyA))),
              ElementsAre(h3.hit().hit_id(), h1.hit().hit_id()));
  EXPECT_THAT(IdsOf(QueryAll(Q().key(kKeyB))),
              ElementsAre(h3.hit().hit_id(), h2.hit().hit_id()));
  EXPECT_THAT(IdsOf(QueryAll(Q().key(kKeyALonger))),
              ElementsAre(h5.hit().hit_id()));
  EXPECT_THAT(QueryAll(Q().key(PhoneKey("+84111"))), IsEmpty());
  ASSERT_OK_AND_ASSIGN(HitPage by_a, hits().Query(Q().key(kKeyA)));
  ASSERT_THAT(by_a.hits, SizeIs(2));
  EXPECT_THAT(by_a.hits[0], EqualsProto(h3));
  EXPECT_THAT(QueryAll(Q()), SizeIs(5));
}

TEST_F(HitStoreTest, QueryTimeRangeIsFromInclusiveToExclusive) {
  const absl::Time from = T(100);
  const absl::Time to = T(200);
  const absl::Duration us = absl::Microseconds(1);
  struct At {
    std::string name;
    absl::Time at;
  };
  const std::vector<At> times = {
      {"long-before", T(10)},  {"just-before", from - us}, {"from", from},
      {"inside", T(150)},      {"just-inside", to - us},   {"to", to},
      {"just-after", to + us}, {"long-after", T(500)},
  };
  for (const At& t : times) {
    ASSERT_NO_FATAL_FAILURE(Put(MakeHit("vcb", t.name, t.at), {kKeyA}));
  }
  auto names = [&](HitQuery q) {
    std::vector<std::string> out;
    for (const auto& h : QueryAll(std::move(q))) {
      out.push_back(h.hit().transfer_id());
    }
    return out;
  };
  for (const std::string& key : {std::string(), kKeyA}) {
    SCOPED_TRACE(key.empty() ? "all hits" : "by identifier");
    EXPECT_THAT(names(Q().key(key).from(from).to(to)),
                ElementsAre("just-inside", "inside", "from"));
    EXPECT_THAT(names(Q().key(key).from(from)),
                ElementsAre("long-after", "just-after", "to", "just-inside",
                            "inside", "from"));
    EXPECT_THAT(names(Q().key(key).to(to)),
                ElementsAre("just-inside", "inside", "from", "just-before",
                            "long-before"));
    EXPECT_THAT(names(Q().key(key).from(to).to(to + us)), ElementsAre("to"));
    EXPECT_THAT(names(Q().key(key).from(to).to(to)), IsEmpty());
    // A range with nothing in it, and pages through a range.
    EXPECT_THAT(names(Q().key(key).from(T(300)).to(T(400))), IsEmpty());
    EXPECT_THAT(names(Q().key(key).from(from).to(to).page_size(1)),
                ElementsAre("just-inside", "inside", "from"));
  }
}

TEST_F(HitStoreTest, QueryFiltersByDecisionAndMinScore) {
  struct Spec {
    v1::Decision decision;
    int score;
  };
  const std::vector<Spec> specs = {
      {v1::DECISION_ALLOW, 0},   {v1::DECISION_WARN, 30},
      {v1::DECISION_WARN, 49},   {v1::DECISION_HOLD, 50},
      {v1::DECISION_HOLD, 60},   {v1::DECISION_BLOCK, 80},
      {v1::DECISION_BLOCK, 100}, {v1::DECISION_WARN, 55},
  };
  std::vector<v1::HitRecord> records;
  for (size_t i = 0; i < specs.size(); ++i) {
    records.push_back(MakeHit("vcb", "TX-" + std::to_string(i),
                              T(static_cast<int64_t>(i)), specs[i].decision,
                              specs[i].score));
    ASSERT_NO_FATAL_FAILURE(Put(records.back(), {kKeyA}));
  }
  auto ids = [&](std::vector<int> indexes) {
    std::vector<std::string> out;
    for (int i : indexes) out.push_back(records[i].hit().hit_id());
    return out;
  };
  for (const std::string& key : {std::string(), kKeyA}) {
    SCOPED_TRACE(key.empty() ? "all hits" : "by identifier");
    EXPECT_THAT(IdsOf(QueryAll(Q().key(key).decisions(
                    {v1::DECISION_HOLD, v1::DECISION_BLOCK}))),
                ElementsAreArray(ids({6, 5, 4, 3})));
    EXPECT_THAT(IdsOf(QueryAll(Q().key(key).decisions({v1::DECISION_WARN}))),
                ElementsAreArray(ids({7, 2, 1})));
    EXPECT_THAT(IdsOf(QueryAll(Q().key(key).min_score(50))),
                ElementsAreArray(ids({7, 6, 5, 4, 3})));
    EXPECT_THAT(IdsOf(QueryAll(
                    Q().key(key).decisions({v1::DECISION_WARN}).min_score(50))),
                ElementsAreArray(ids({7})));
    EXPECT_THAT(IdsOf(QueryAll(Q().key(key).min_score(101))), IsEmpty());
    // Filters and pages together.
    EXPECT_THAT(IdsOf(QueryAll(Q().key(key).min_score(50).page_size(2))),
                ElementsAreArray(ids({7, 6, 5, 4, 3})));
  }
}

TEST_F(HitStoreTest, PagesReturnEveryHitExactlyOnceInOrder) {
  std::vector<v1::HitRecord> records;
  for (int i = 0; i < 50; ++i) {
    // Pairs of hits share a timestamp: the hit id orders them.
    records.push_back(MakeHit("vcb", "TX-" + std::to_string(i), T(i / 2)));
    ASSERT_NO_FATAL_FAILURE(Put(records.back(), {kKeyA}));
  }
  std::vector<std::string> want = IdsOf(records);
  std::sort(want.rbegin(), want.rend());  // newest first

  for (const std::string& key : {std::string(), kKeyA}) {
    SCOPED_TRACE(key.empty() ? "all hits" : "by identifier");
    std::vector<std::vector<v1::HitRecord>> pages =
        AllPages(Q().key(key).page_size(7));
    ASSERT_THAT(pages, SizeIs(8));
    std::vector<std::string> got;
    for (size_t p = 0; p < pages.size(); ++p) {
      EXPECT_THAT(pages[p], SizeIs(p + 1 < pages.size() ? 7 : 1)) << p;
      for (const std::string& id : IdsOf(pages[p])) got.push_back(id);
    }
    EXPECT_EQ(got, want);
  }
}

TEST_F(HitStoreTest, PagesStayCorrectWhileNewerHitsAreWritten) {
  std::vector<v1::HitRecord> records;
  for (int i = 0; i < 20; ++i) {
    records.push_back(MakeHit("vcb", "TX-" + std::to_string(i), T(i)));
    ASSERT_NO_FATAL_FAILURE(Put(records.back(), {kKeyA}));
  }
  std::vector<std::string> want = IdsOf(records);
  std::reverse(want.begin(), want.end());

  int written = 0;
  for (const std::string& key : {std::string(), kKeyA}) {
    SCOPED_TRACE(key.empty() ? "all hits" : "by identifier");
    HitQuery query = Q().key(key).to(T(20)).page_size(7);
    // With no upper bound too: new hits must not show up on later pages.
    for (bool bounded : {true, false}) {
      SCOPED_TRACE(bounded ? "bounded" : "unbounded");
      if (!bounded) query.to = absl::InfiniteFuture();
      query.page_token.clear();
      const int written_before = written;
      std::vector<std::string> got;
      for (int page_number = 0; page_number < 10; ++page_number) {
        ASSERT_OK_AND_ASSIGN(HitPage page, hits().Query(query));
        for (const std::string& id : IdsOf(page.hits)) got.push_back(id);
        if (page.next_page_token.empty()) break;
        query.page_token = page.next_page_token;
        // Screenings go on between pages.
        for (int n = 0; n < 3; ++n, ++written) {
          ASSERT_NO_FATAL_FAILURE(
              Put(MakeHit("vcb", "NEW-" + std::to_string(written),
                          T(1000 + written)),
                  {kKeyA}));
        }
      }
      if (bounded) {
        EXPECT_EQ(got, want);
      } else {
        // The unbounded walk starts at the newest hit written before it
        // began and then reaches the original 20, each once; nothing written
        // during the walk shows up.
        ASSERT_EQ(got.size(), want.size() + written_before);
        std::vector<std::string> tail(got.end() - want.size(), got.end());
        EXPECT_EQ(tail, want);
        std::set<std::string> unique(got.begin(), got.end());
        EXPECT_EQ(unique.size(), got.size());
        EXPECT_TRUE(std::is_sorted(got.rbegin(), got.rend()));
      }
    }
  }
}

TEST_F(HitStoreTest, MalformedPageTokenIsInvalidArgument) {
  ASSERT_NO_FATAL_FAILURE(Put(MakeHit("vcb", "TX-1", T(1)), {kKeyA}));
  const std::string valid = hits().NewHitId(T(1));
  for (const std::string& key : {std::string(), kKeyA}) {
    for (const std::string& token :
         {std::string("garbage"), valid.substr(1), valid + "0",
          std::string(24, 'g'), std::string(23, '0') + "-"}) {
      SCOPED_TRACE(token);
      auto page = hits().Query(Q().key(key).token(token));
      EXPECT_EQ(page.status().code(), absl::StatusCode::kInvalidArgument)
          << page.status();
    }
  }
}

TEST_F(HitStoreTest, CountByBeneficiariesCountsEachKeyUpToTheLimit) {
  const absl::Time t0 = absl::FromUnixSeconds(1'750'000'000);
  // Three screenings paid kKeyA, one kKeyB; kKeyA is also an identifier key
  // of another hit, which a beneficiary count must not see.
  for (int i = 0; i < 3; ++i) {
    Put(MakeHit("bank/a", absl::StrCat("PAY-A", i), t0 + absl::Seconds(i)), {},
        {kKeyA});
  }
  Put(MakeHit("bank/a", "PAY-B", t0), {}, {kKeyB});
  Put(MakeHit("bank/a", "MATCHED", t0), {kKeyA});
  const std::vector<std::string> keys = {kKeyB, "PHONE||+84900000000", kKeyA,
                                         kKeyB};
  ASSERT_OK_AND_ASSIGN(std::vector<int64_t> counts,
                       hits().CountByBeneficiaries(keys, 100));
  EXPECT_THAT(counts, ElementsAre(1, 0, 3, 1));
  ASSERT_OK_AND_ASSIGN(counts, hits().CountByBeneficiaries(keys, 2));
  EXPECT_THAT(counts, ElementsAre(1, 0, 2, 1));
  ASSERT_OK_AND_ASSIGN(counts, hits().CountByBeneficiaries({}, 100));
  EXPECT_THAT(counts, ElementsAre());
}

TEST_F(HitStoreTest, HasBeneficiariesOnceAScreeningIsIndexedByOne) {
  ASSERT_OK_AND_ASSIGN(bool any, hits().HasBeneficiaries());
  EXPECT_FALSE(any);
  Put(MakeHit("bank/a", "MATCHED", T(1)), {kKeyA});  // no beneficiary key
  ASSERT_OK_AND_ASSIGN(any, hits().HasBeneficiaries());
  EXPECT_FALSE(any);
  Put(MakeHit("bank/a", "PAY-B", T(2)), {}, {kKeyB});
  ASSERT_OK_AND_ASSIGN(any, hits().HasBeneficiaries());
  EXPECT_TRUE(any);
  ASSERT_NO_FATAL_FAILURE(Reopen());
  ASSERT_OK_AND_ASSIGN(any, hits().HasBeneficiaries());
  EXPECT_TRUE(any);
}

TEST_F(HitStoreTest, ReopenKeepsHitsAndIndexes) {
  v1::HitRecord h1 = MakeHit("vcb", "TX-1", T(1), v1::DECISION_HOLD, 70);
  v1::HitRecord h2 = MakeHit("tcb", "TX-2", T(2));
  v1::HitRecord h3 = MakeHit("vcb", "TX-3", T(3), v1::DECISION_BLOCK, 90);
  ASSERT_NO_FATAL_FAILURE(Put(h1, {kKeyA}));
  ASSERT_NO_FATAL_FAILURE(Put(h2, {kKeyB}));
  ASSERT_NO_FATAL_FAILURE(Put(h3, {kKeyA, kKeyB}));

  ASSERT_NO_FATAL_FAILURE(Reopen());

  ASSERT_OK_AND_ASSIGN(auto found, hits().FindByTransfer("vcb", "TX-1"));
  EXPECT_THAT(found, Optional(EqualsProto(h1)));
  ASSERT_OK_AND_ASSIGN(auto got, hits().Get(h2.hit().hit_id()));
  EXPECT_THAT(got, Optional(EqualsProto(h2)));
  EXPECT_THAT(
      IdsOf(QueryAll(Q())),
      ElementsAre(h3.hit().hit_id(), h2.hit().hit_id(), h1.hit().hit_id()));
  EXPECT_THAT(IdsOf(QueryAll(Q().key(kKeyA))),
              ElementsAre(h3.hit().hit_id(), h1.hit().hit_id()));
  EXPECT_THAT(IdsOf(QueryAll(Q().key(kKeyB))),
              ElementsAre(h3.hit().hit_id(), h2.hit().hit_id()));
  // Idempotency survives the restart.
  v1::HitRecord retry = MakeHit("vcb", "TX-3", T(4));
  ASSERT_OK_AND_ASSIGN(auto again, hits().PutIfAbsent(&retry, {kKeyA}));
  EXPECT_THAT(again, Optional(EqualsProto(h3)));
  // And hit ids made after the restart are new ones.
  v1::HitRecord h4 = MakeHit("vcb", "TX-4", T(3));
  ASSERT_NO_FATAL_FAILURE(Put(h4, {kKeyA}));
  EXPECT_THAT(QueryAll(Q()), SizeIs(4));
}

TEST_F(HitStoreTest, SelectiveFilterOverManyHitsStillFindsEveryMatch) {
  // More non-matching hits than one query call may scan: the walk goes on
  // through page tokens and still finds each match once.
  constexpr int kHits = 25'000;
  std::vector<std::string> matches;
  for (int i = 0; i < kHits; ++i) {
    const bool match = i == 0 || i == 12'345 || i == kHits - 1;
    v1::HitRecord record = MakeHit(
        "vcb", "TX-" + std::to_string(i), T(0) + absl::Microseconds(i),
        match ? v1::DECISION_BLOCK : v1::DECISION_ALLOW, match ? 90 : 0);
    if (match) matches.push_back(record.hit().hit_id());
    ASSERT_NO_FATAL_FAILURE(Put(record, {kKeyA}));
  }
  std::reverse(matches.begin(), matches.end());
  for (const std::string& key : {std::string(), kKeyA}) {
    SCOPED_TRACE(key.empty() ? "all hits" : "by identifier");
    EXPECT_THAT(IdsOf(QueryAll(Q().key(key).min_score(90).page_size(2))),
                ElementsAreArray(matches));
  }
}

TEST_F(HitStoreTest, FailedWriteIsNotVisible) {
  ASSERT_NO_FATAL_FAILURE(UseFaultEnv());
  v1::HitRecord h1 = MakeHit("vcb", "TX-1", T(1));
  ASSERT_NO_FATAL_FAILURE(Put(h1, {kKeyA}));

  fault_env_.FailWrites(true);
  v1::HitRecord h2 = MakeHit("vcb", "TX-2", T(2));
  auto failed = hits().PutIfAbsent(&h2, {kKeyA, kKeyB});
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kUnavailable)
      << failed.status();
  ASSERT_OK_AND_ASSIGN(auto now_visible, hits().FindByTransfer("vcb", "TX-2"));
  EXPECT_EQ(now_visible, std::nullopt);

  // RocksDB stops accepting writes after a WAL error: close while the fault
  // is still armed, then reopen healthy.
  store_.reset();
  fault_env_.FailWrites(false);
  ASSERT_NO_FATAL_FAILURE(Reopen());

  ASSERT_OK_AND_ASSIGN(auto by_transfer, hits().FindByTransfer("vcb", "TX-2"));
  EXPECT_EQ(by_transfer, std::nullopt);
  ASSERT_OK_AND_ASSIGN(auto by_id, hits().Get(h2.hit().hit_id()));
  EXPECT_EQ(by_id, std::nullopt);
  EXPECT_THAT(QueryAll(Q().key(kKeyB)), IsEmpty());
  EXPECT_THAT(IdsOf(QueryAll(Q().key(kKeyA))), ElementsAre(h1.hit().hit_id()));
  EXPECT_THAT(IdsOf(QueryAll(Q())), ElementsAre(h1.hit().hit_id()));

  // The screening can be recorded on retry.
  ASSERT_NO_FATAL_FAILURE(Put(h2, {kKeyA, kKeyB}));
  ASSERT_OK_AND_ASSIGN(auto retried, hits().FindByTransfer("vcb", "TX-2"));
  EXPECT_THAT(retried, Optional(EqualsProto(h2)));
}

TEST_F(HitStoreTest, ReadFaultIsAnErrorNotAnEmptyAnswer) {
  ASSERT_NO_FATAL_FAILURE(UseFaultEnv());
  v1::HitRecord h1 = MakeHit("vcb", "TX-1", T(1));
  ASSERT_NO_FATAL_FAILURE(Put(h1, {kKeyA}));
  // Reopening flushes the replayed WAL to SST files; with no block cache the
  // reads below go to them.
  ASSERT_NO_FATAL_FAILURE(Reopen());

  fault_env_.FailReads(true);
  EXPECT_EQ(hits().FindByTransfer("vcb", "TX-1").status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(hits().Get(h1.hit().hit_id()).status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(hits().Query(Q()).status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(hits().Query(Q().key(kKeyA)).status().code(),
            absl::StatusCode::kUnavailable);
  // A retried screening must not be recorded twice because the idempotency
  // check could not read.
  v1::HitRecord retry = MakeHit("vcb", "TX-1", T(5));
  EXPECT_FALSE(hits().PutIfAbsent(&retry, {}).ok());

  fault_env_.FailReads(false);
  EXPECT_THAT(IdsOf(QueryAll(Q())), ElementsAre(h1.hit().hit_id()));
}

TEST_F(HitStoreTest, VerdictsAreKeptInOrderAndSurviveReopen) {
  v1::HitRecord h = MakeHit("vcb", "TX-1", T(1), v1::DECISION_HOLD, 70);
  ASSERT_NO_FATAL_FAILURE(Put(h, {kKeyA}));
  const std::string& id = h.hit().hit_id();
  ASSERT_OK_AND_ASSIGN(auto first,
                       hits().RecordOutcome(id, v1::FALSE_POSITIVE, "real shop",
                                            "analyst/lan", T(100)));
  EXPECT_EQ(first.hit().outcome(), v1::FALSE_POSITIVE);
  ASSERT_OK_AND_ASSIGN(auto second,
                       hits().RecordOutcome(id, v1::CONFIRMED_FRAUD, "police",
                                            "analyst/minh", T(200)));
  ASSERT_NO_FATAL_FAILURE(Reopen());
  ASSERT_OK_AND_ASSIGN(auto stored, hits().Get(id));
  ASSERT_TRUE(stored.has_value());
  const v1::Hit& hit = stored->hit();
  EXPECT_EQ(hit.outcome(), v1::CONFIRMED_FRAUD);
  EXPECT_EQ(hit.outcome_by(), "analyst/minh");
  EXPECT_EQ(FromProtoTime(hit.outcome_at()), T(200));
  ASSERT_EQ(hit.outcome_history_size(), 2);
  EXPECT_EQ(hit.outcome_history(0).by(), "analyst/lan");
  EXPECT_EQ(hit.outcome_history(0).note(), "real shop");
  EXPECT_EQ(hit.outcome_history(1).outcome(), v1::CONFIRMED_FRAUD);
  // The screening itself and its indexes are unchanged.
  EXPECT_EQ(hit.decision(), v1::DECISION_HOLD);
  EXPECT_EQ(hit.score(), 70);
  EXPECT_THAT(IdsOf(QueryAll(Q().key(kKeyA))), ElementsAre(id));
  ASSERT_OK_AND_ASSIGN(auto by_transfer, hits().FindByTransfer("vcb", "TX-1"));
  ASSERT_TRUE(by_transfer.has_value());
  EXPECT_EQ(by_transfer->hit().outcome_history_size(), 2);

  EXPECT_EQ(hits()
                .RecordOutcome("000000000000000000000000", v1::FALSE_POSITIVE,
                               "", "a/b", T(300))
                .status()
                .code(),
            absl::StatusCode::kNotFound);
}

TEST_F(HitStoreTest, FailedVerdictLeavesTheHitAsItWas) {
  v1::HitRecord h = MakeHit("vcb", "TX-1", T(1));
  ASSERT_NO_FATAL_FAILURE(UseFaultEnv());
  ASSERT_NO_FATAL_FAILURE(Put(h, {kKeyA}));
  fault_env_.FailWrites(true);
  auto failed = hits().RecordOutcome(h.hit().hit_id(), v1::CONFIRMED_FRAUD, "x",
                                     "a/b", T(5));
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kUnavailable);
  store_.reset();
  fault_env_.FailWrites(false);
  ASSERT_NO_FATAL_FAILURE(Reopen());
  ASSERT_OK_AND_ASSIGN(auto stored, hits().Get(h.hit().hit_id()));
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->hit().outcome(), v1::OUTCOME_UNSPECIFIED);
  EXPECT_EQ(stored->hit().outcome_history_size(), 0);
}

// A history node stores screenings of other nodes as they were recorded
// there (FRAUDGATE_HITS): once, with their indexes, the beneficiary index
// too when the nodes share the hash key.
TEST_F(HitStoreTest, ReplicatedHitsAreStoredOnceWithTheirIndexes) {
  // The other node, with this node's hash key (DESIGN §3: the same on every
  // node of a cluster).
  ASSERT_OK_AND_ASSIGN(std::optional<std::string> key,
                       ReadHmacKey(dir_.File("db")));
  ASSERT_TRUE(key.has_value());
  std::filesystem::create_directories(dir_.File("other"));
  ASSERT_OK(WriteHmacKey(dir_.File("other"), *key));
  StoreOptions options;
  options.path = dir_.File("other");
  ASSERT_OK_AND_ASSIGN(auto other, Store::Open(options));
  std::vector<v1::HitRecord> sent;
  for (const char* transfer : {"TX-1", "TX-2"}) {
    v1::HitRecord record = MakeHit("vcb", transfer, T(10));
    ASSERT_OK_AND_ASSIGN(auto earlier,
                         other->hits().PutIfAbsent(&record, {kKeyA}, {kKeyB}));
    ASSERT_EQ(earlier, std::nullopt);
    ASSERT_OK_AND_ASSIGN(auto stored, other->hits().Get(record.hit().hit_id()));
    ASSERT_TRUE(stored.has_value());
    sent.push_back(*stored);
  }
  // TX-2 was screened here too, first: its transfer keeps this node's hit.
  v1::HitRecord local = MakeHit("vcb", "TX-2", T(5));
  ASSERT_NO_FATAL_FAILURE(Put(local));

  ASSERT_OK_AND_ASSIGN(size_t added, hits().PutReplicated(sent, 7));
  EXPECT_EQ(added, 2u);
  ASSERT_OK_AND_ASSIGN(uint64_t position, hits().ReplicatedPosition());
  EXPECT_EQ(position, 7u);
  EXPECT_THAT(IdsOf(QueryAll(Q().key(kKeyA))),
              ElementsAre(sent[1].hit().hit_id(), sent[0].hit().hit_id()));
  HitQuery by_beneficiary;
  by_beneficiary.beneficiary_key = kKeyB;
  EXPECT_THAT(QueryAll(by_beneficiary), SizeIs(2));
  ASSERT_OK_AND_ASSIGN(auto tx1, hits().FindByTransfer("vcb", "TX-1"));
  EXPECT_THAT(tx1, Optional(EqualsProto(sent[0])));
  ASSERT_OK_AND_ASSIGN(auto tx2, hits().FindByTransfer("vcb", "TX-2"));
  EXPECT_THAT(tx2, Optional(EqualsProto(local)));

  // Delivered again: nothing new, the position moves on.
  ASSERT_OK_AND_ASSIGN(added, hits().PutReplicated(sent, 9));
  EXPECT_EQ(added, 0u);
  EXPECT_THAT(QueryAll(Q().key(kKeyA)), SizeIs(2));
  Reopen();
  ASSERT_OK_AND_ASSIGN(position, hits().ReplicatedPosition());
  EXPECT_EQ(position, 9u);
}

// The outbox of a cluster node: every hit written, in order, until trimmed;
// nothing for a repeated transfer; kept across a reopen, where new entries
// follow the old; a hit removed by retention leaves an empty entry.
TEST_F(HitStoreTest, OutboxQueuesEveryNewHitUntilTrimmed) {
  EXPECT_EQ(hits().ReadOutbox(10).status().code(),
            absl::StatusCode::kFailedPrecondition);
  hits_outbox_ = true;
  ASSERT_NO_FATAL_FAILURE(Reopen());
  v1::HitRecord h1 = MakeHit("vcb", "TX-1", T(10));
  v1::HitRecord h2 = MakeHit("vcb", "TX-2", T(5));  // earlier, written later
  ASSERT_NO_FATAL_FAILURE(Put(h1));
  ASSERT_NO_FATAL_FAILURE(Put(h2));
  v1::HitRecord again = MakeHit("vcb", "TX-1", T(20));
  ASSERT_OK_AND_ASSIGN(auto existed, hits().PutIfAbsent(&again, {}));
  ASSERT_TRUE(existed.has_value());

  ASSERT_OK_AND_ASSIGN(auto entries, hits().ReadOutbox(10));
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_LT(entries[0].sequence, entries[1].sequence);
  ASSERT_TRUE(entries[0].record.has_value());
  ASSERT_TRUE(entries[1].record.has_value());
  EXPECT_EQ(entries[0].record->hit().hit_id(), h1.hit().hit_id());
  EXPECT_EQ(entries[1].record->hit().hit_id(), h2.hit().hit_id());
  ASSERT_OK_AND_ASSIGN(auto first, hits().ReadOutbox(1));
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].sequence, entries[0].sequence);

  ASSERT_OK(hits().TrimOutbox(entries[0].sequence));
  ASSERT_NO_FATAL_FAILURE(Reopen());
  v1::HitRecord h3 = MakeHit("vcb", "TX-3", T(30));
  ASSERT_NO_FATAL_FAILURE(Put(h3));
  ASSERT_OK_AND_ASSIGN(entries, hits().ReadOutbox(10));
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].record->hit().hit_id(), h2.hit().hit_id());
  EXPECT_EQ(entries[1].record->hit().hit_id(), h3.hit().hit_id());
  EXPECT_GT(entries[1].sequence, entries[0].sequence);

  // Retention removes h1 and h2 (before T(20)); h2 was not published yet.
  ASSERT_OK_AND_ASSIGN(int64_t removed, hits().RemoveExpired(T(20), T(20)));
  EXPECT_EQ(removed, 2);
  ASSERT_OK_AND_ASSIGN(entries, hits().ReadOutbox(10));
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_FALSE(entries[0].record.has_value());
  EXPECT_TRUE(entries[1].record.has_value());
  ASSERT_OK(hits().TrimOutbox(entries[1].sequence));
  ASSERT_OK_AND_ASSIGN(entries, hits().ReadOutbox(10));
  EXPECT_TRUE(entries.empty());
}

// Replicated hits (other nodes') are not this node's to publish.
TEST_F(HitStoreTest, ReplicatedHitsAreNotQueuedInTheOutbox) {
  hits_outbox_ = true;
  ASSERT_NO_FATAL_FAILURE(Reopen());
  std::vector<v1::HitRecord> others = {MakeHit("tcb", "TX-9", T(9))};
  ASSERT_OK(hits().PutReplicated(others, 1));
  ASSERT_OK_AND_ASSIGN(auto entries, hits().ReadOutbox(10));
  EXPECT_TRUE(entries.empty());
}

// A single node's store has no outbox, and pays nothing for it; a cluster
// node's open makes it; either store opens read-only (as audit and backup
// tools do) and writable without it.
TEST_F(HitStoreTest, OnlyAClusterNodesStoreHasAnOutbox) {
  auto families = [&](store::Store& s) {
    std::vector<std::string> names;
    for (const auto& family : s.Stats().column_families) {
      names.push_back(family.name);
    }
    return names;
  };
  EXPECT_THAT(families(*store_), Not(Contains("hits_outbox")));
  EXPECT_EQ(hits().ReadOutbox(1).status().code(),
            absl::StatusCode::kFailedPrecondition);
  store::StoreOptions read_only;
  read_only.path = dir_.File("db");
  read_only.read_only = true;
  {
    ASSERT_OK_AND_ASSIGN(auto store, store::Store::Open(read_only));
    EXPECT_THAT(families(*store), Not(Contains("hits_outbox")));
  }
  read_only.hits_outbox = true;
  EXPECT_EQ(store::Store::Open(read_only).status().code(),
            absl::StatusCode::kInvalidArgument);
  read_only.hits_outbox = false;

  hits_outbox_ = true;
  ASSERT_NO_FATAL_FAILURE(Reopen());
  ASSERT_NO_FATAL_FAILURE(Put(MakeHit("vcb", "TX-1", T(1))));
  ASSERT_OK_AND_ASSIGN(auto entries, hits().ReadOutbox(10));
  EXPECT_EQ(entries.size(), 1u);
  EXPECT_THAT(families(*store_), Contains("hits_outbox"));
  store_.reset();
  {
    ASSERT_OK_AND_ASSIGN(auto store, store::Store::Open(read_only));
    EXPECT_THAT(families(*store), Contains("hits_outbox"));
  }
  hits_outbox_ = false;
  ASSERT_NO_FATAL_FAILURE(Reopen());
  ASSERT_NO_FATAL_FAILURE(Put(MakeHit("vcb", "TX-2", T(2))));
}

}  // namespace
}  // namespace fraudgate::store
