// cluster::HitFeed against a real 3-server JetStream cluster: node A writes
// screening records (HitStore with an outbox) and publishes them; node B,
// the history node, stores them. Records written while the whole NATS
// cluster is down, and still unpublished when A shuts down, are not lost:
// A's outbox keeps them on disk, and A publishes them after its restart,
// once NATS is back. B ends with every record once.
#include "cluster/hit_feed.h"

#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "cluster/jetstream.h"
#include "gtest/gtest.h"
#include "proto/proto_time.h"
#include "service/log.h"
#include "store/store.h"
#include "tests/testing/eventually.h"
#include "tests/testing/matchers.h"
#include "tests/testing/nats_cluster.h"
#include "tests/testing/temp_dir.h"

namespace fraudgate::cluster {
namespace {

using ::fraudgate::testing::Eventually;

class HitFeedTest : public ::testing::Test {
 protected:
  struct Node {
    std::unique_ptr<store::Store> store;
    std::unique_ptr<JetStream> js;
    std::unique_ptr<HitFeed> feed;
  };

  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(
        nats_, testing::NatsCluster::Start(NATS_SERVER, dir_.path(), 3));
    ASSERT_NO_FATAL_FAILURE(Start(a_, "a", false));
    ASSERT_NO_FATAL_FAILURE(Start(b_, "b", true));
  }

  // Opens `node`'s store (with an outbox) and starts its feed.
  void Start(Node& node, const std::string& name, bool history) {
    if (node.store == nullptr) {
      store::StoreOptions options;
      options.path = dir_.File(name);
      options.hits_outbox = true;
      ASSERT_OK_AND_ASSIGN(node.store, store::Store::Open(options));
    }
    if (node.js == nullptr) {
      JetStreamOptions js_options;
      for (int s = 0; s < nats_->size(); ++s) {
        js_options.servers.push_back(nats_->Url(s));
      }
      ASSERT_OK_AND_ASSIGN(node.js, JetStream::Connect(js_options));
    }
    HitFeedOptions options;
    options.node = name;
    options.history = history;
    options.logger = &logger_;
    ASSERT_OK_AND_ASSIGN(
        node.feed, HitFeed::Start(node.js.get(), &node.store->hits(), options));
  }

  // Writes screening record `k` on node A; returns its hit id.
  std::string Screen(int k) {
    store::HitStore& hits = a_.store->hits();
    v1::HitRecord record;
    const absl::Time at = absl::Now();
    record.mutable_hit()->set_hit_id(hits.NewHitId(at));
    record.mutable_hit()->set_caller("bank/vcb");
    record.mutable_hit()->set_transfer_id(absl::StrCat("TX-", k));
    *record.mutable_hit()->mutable_screened_at() = ToProtoTime(at);
    record.mutable_hit()->set_decision(v1::DECISION_ALLOW);
    auto put = hits.PutIfAbsent(&record, {});
    EXPECT_TRUE(put.ok() && !put->has_value()) << put.status();
    if (a_.feed != nullptr) a_.feed->Wake();
    return record.hit().hit_id();
  }

  bool BHas(const std::string& hit_id) {
    auto hit = b_.store->hits().Get(hit_id);
    return hit.ok() && hit->has_value();
  }

  testing::TempDir dir_;
  std::ostringstream log_;
  service::Logger logger_{&log_};
  std::unique_ptr<testing::NatsCluster> nats_;
  Node a_, b_;
};

TEST_F(HitFeedTest, RecordsWrittenWhileNatsIsDownArePublishedAfterARestart) {
  std::vector<std::string> ids;
  for (int k = 0; k < 50; ++k) ids.push_back(Screen(k));
  ASSERT_TRUE(Eventually([&] { return BHas(ids.back()); })) << log_.str();
  for (const std::string& id : ids) EXPECT_TRUE(BHas(id)) << id;
  EXPECT_TRUE(Eventually([&] { return a_.feed->published() == 50; }));

  // The whole NATS cluster goes away; A screens on, then stops.
  for (int s = 0; s < nats_->size(); ++s) nats_->Kill(s);
  for (int k = 50; k < 100; ++k) ids.push_back(Screen(k));
  a_.feed.reset();
  a_.js.reset();
  a_.store.reset();  // a restart: the outbox is all that remembers
  for (int s = 0; s < nats_->size(); ++s) ASSERT_OK(nats_->Restart(s));

  ASSERT_NO_FATAL_FAILURE(Start(a_, "a", false));
  ASSERT_TRUE(Eventually([&] { return BHas(ids.back()); }, absl::Seconds(60)))
      << log_.str();
  for (const std::string& id : ids) EXPECT_TRUE(BHas(id)) << id;
  EXPECT_TRUE(Eventually([&] { return a_.feed->published() == 50; }))
      << a_.feed->published();
  EXPECT_EQ(a_.feed->dropped(), 0);
  ASSERT_TRUE(Eventually([&] {
    auto left = a_.store->hits().ReadOutbox(10);
    return left.ok() && left->empty();
  }));
  // Every record once on the history node.
  store::HitQuery all;
  all.page_size = 1000;
  ASSERT_OK_AND_ASSIGN(store::HitPage page, b_.store->hits().Query(all));
  EXPECT_EQ(page.hits.size(), 100u);
}

}  // namespace
}  // namespace fraudgate::cluster
