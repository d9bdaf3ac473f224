// What fraudgate's clustered mode relies on from NATS JetStream (DESIGN §9),
// checked against a real cluster of three nats-server processes
// (tests/testing/nats_cluster.h) through the C client, libnats:
// - a stream replicated on three servers takes publishes, numbering them
//   1, 2, 3... (the list version will be that number);
// - a publish retried with the same Nats-Msg-Id is stored once, and the
//   retry is told so (the idempotency of uploads);
// - when the stream leader dies, publishes fail for a while and then go on
//   under a new leader, with no gap, no loss and de-duplication intact;
// - a durable pull consumer reads every message in order, and a second
//   one created later reads them all from the start (a node catching up);
// - a killed server restarted on its store rejoins.
// NATS_SERVER is the path of the nats-server binary.
#include <nats/nats.h>

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/testing/nats_cluster.h"
#include "tests/testing/temp_dir.h"

namespace fraudgate {
namespace {

constexpr char kStream[] = "FRAUDGATE_TEST";
constexpr char kSubject[] = "fraudgate.test.events";

// Owners of the C client's objects.
struct NatsDeleter {
  void operator()(natsConnection* p) const { natsConnection_Destroy(p); }
  void operator()(jsCtx* p) const { jsCtx_Destroy(p); }
  void operator()(jsStreamInfo* p) const { jsStreamInfo_Destroy(p); }
  void operator()(jsPubAck* p) const { jsPubAck_Destroy(p); }
  void operator()(natsSubscription* p) const { natsSubscription_Destroy(p); }
};
template <typename T>
using Owned = std::unique_ptr<T, NatsDeleter>;

class JetStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cluster =
        testing::NatsCluster::Start(NATS_SERVER, dir_.path(), /*servers=*/3);
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = *std::move(cluster);
    natsConnection* nc = nullptr;
    ASSERT_EQ(natsConnection_ConnectTo(&nc, cluster_->Urls().c_str()), NATS_OK)
        << nats_GetLastError(nullptr);
    nc_.reset(nc);
    jsOptions options;
    jsOptions_Init(&options);
    options.Wait = 2000;  // ms per request
    jsCtx* js = nullptr;
    ASSERT_EQ(natsConnection_JetStream(&js, nc_.get(), &options), NATS_OK);
    js_.reset(js);
  }

  // Creates the stream, replicated on every server, retrying while
  // JetStream elects its meta leader.
  void AddStream() {
    jsStreamConfig config;
    jsStreamConfig_Init(&config);
    config.Name = kStream;
    const char* subjects[] = {kSubject};
    config.Subjects = subjects;
    config.SubjectsLen = 1;
    config.Replicas = 3;
    config.Storage = js_FileStorage;
    const absl::Time give_up = absl::Now() + absl::Seconds(30);
    natsStatus s;
    jsErrCode error = static_cast<jsErrCode>(0);
    do {
      jsStreamInfo* info = nullptr;
      s = js_AddStream(&info, js_.get(), &config, nullptr, &error);
      Owned<jsStreamInfo> owned(info);
      if (s == NATS_OK) return;
      absl::SleepFor(absl::Milliseconds(200));
    } while (absl::Now() < give_up);
    FAIL() << "stream not created: " << natsStatus_GetText(s) << " (" << error
           << ") " << nats_GetLastError(nullptr);
  }

  // Publishes `data` with message id `id`; the ack, or null on failure.
  Owned<jsPubAck> Publish(const std::string& id, const std::string& data,
                          natsStatus* status = nullptr) {
    jsPubOptions options;
    jsPubOptions_Init(&options);
    options.MsgId = id.c_str();
    options.MaxWait = 2000;
    jsPubAck* ack = nullptr;
    jsErrCode error = static_cast<jsErrCode>(0);
    const natsStatus s =
        js_Publish(&ack, js_.get(), kSubject, data.data(),
                   static_cast<int>(data.size()), &options, &error);
    if (status != nullptr) *status = s;
    return Owned<jsPubAck>(s == NATS_OK ? ack : nullptr);
  }

  // The stream's leader, by server name.
  std::string Leader() {
    jsStreamInfo* info = nullptr;
    jsErrCode error = static_cast<jsErrCode>(0);
    if (js_GetStreamInfo(&info, js_.get(), kStream, nullptr, &error) !=
        NATS_OK) {
      return "";
    }
    Owned<jsStreamInfo> owned(info);
    return info->Cluster != nullptr && info->Cluster->Leader != nullptr
               ? info->Cluster->Leader
               : "";
  }

  // Every message's stream sequence and data, read by durable `durable`.
  std::vector<std::pair<uint64_t, std::string>> ReadAll(
      const std::string& durable, size_t expected) {
    // Creating the consumer may time out while a leader is being elected
    // (just after a server died): retried, as a node would.
    natsSubscription* sub = nullptr;
    jsErrCode error = static_cast<jsErrCode>(0);
    const absl::Time give_up = absl::Now() + absl::Seconds(30);
    natsStatus s;
    while ((s = js_PullSubscribe(&sub, js_.get(), kSubject, durable.c_str(),
                                 nullptr, nullptr, &error)) != NATS_OK &&
           absl::Now() < give_up) {
      absl::SleepFor(absl::Milliseconds(200));
    }
    EXPECT_EQ(s, NATS_OK) << natsStatus_GetText(s) << " "
                          << nats_GetLastError(nullptr);
    Owned<natsSubscription> owned(sub);
    std::vector<std::pair<uint64_t, std::string>> read;
    while (sub != nullptr && read.size() < expected && absl::Now() < give_up) {
      natsMsgList list{};
      if (natsSubscription_Fetch(&list, sub, 64, 2000, &error) != NATS_OK) {
        continue;
      }
      for (int i = 0; i < list.Count; ++i) {
        natsMsg* msg = list.Msgs[i];
        jsMsgMetaData* meta = nullptr;
        EXPECT_EQ(natsMsg_GetMetaData(&meta, msg), NATS_OK);
        read.emplace_back(
            meta != nullptr ? meta->Sequence.Stream : 0,
            std::string(natsMsg_GetData(msg), natsMsg_GetDataLength(msg)));
        jsMsgMetaData_Destroy(meta);
        EXPECT_EQ(natsMsg_Ack(msg, nullptr), NATS_OK);
      }
      natsMsgList_Destroy(&list);
    }
    return read;
  }

  testing::TempDir dir_;
  std::unique_ptr<testing::NatsCluster> cluster_;
  Owned<natsConnection> nc_;
  Owned<jsCtx> js_;
};

TEST_F(JetStreamTest,
       ReplicatedStreamSurvivesItsLeaderWithoutGapsOrDuplicates) {
  ASSERT_NO_FATAL_FAILURE(AddStream());
  constexpr int kBefore = 50, kAfter = 50;
  for (int i = 1; i <= kBefore; ++i) {
    auto ack = Publish(absl::StrCat("m-", i), absl::StrCat("event ", i));
    ASSERT_NE(ack, nullptr) << i << ": " << nats_GetLastError(nullptr);
    EXPECT_EQ(ack->Sequence, static_cast<uint64_t>(i));
    EXPECT_FALSE(ack->Duplicate);
  }
  // A retry of message 7 is stored once and reported as a duplicate.
  auto retry = Publish("m-7", "event 7");
  ASSERT_NE(retry, nullptr);
  EXPECT_TRUE(retry->Duplicate);
  EXPECT_EQ(retry->Sequence, 7u);

  // Kill the stream's leader; publishes resume under a new one.
  const std::string leader = Leader();
  ASSERT_FALSE(leader.empty());
  int killed = -1;
  for (int i = 0; i < cluster_->size(); ++i) {
    if (cluster_->Name(i) == leader) killed = i;
  }
  ASSERT_GE(killed, 0) << leader;
  cluster_->Kill(killed);
  const absl::Time killed_at = absl::Now();
  int failures = 0;
  absl::Duration paused;
  for (int i = kBefore + 1; i <= kBefore + kAfter; ++i) {
    Owned<jsPubAck> ack;
    natsStatus status = NATS_OK;
    while (ack == nullptr && absl::Now() - killed_at < absl::Seconds(60)) {
      ack = Publish(absl::StrCat("m-", i), absl::StrCat("event ", i), &status);
      if (ack == nullptr) {
        ++failures;
        absl::SleepFor(absl::Milliseconds(100));
      }
    }
    ASSERT_NE(ack, nullptr) << i << ": " << natsStatus_GetText(status);
    if (i == kBefore + 1) paused = absl::Now() - killed_at;
    // A publish that failed may still have been stored: its retry is then
    // a duplicate of it, at the same sequence.
    EXPECT_EQ(ack->Sequence, static_cast<uint64_t>(i));
  }
  std::cerr << "stream leader " << leader << " killed: publishes paused "
            << paused << " (" << failures << " failed tries)\n";
  EXPECT_NE(Leader(), leader);
  auto again = Publish("m-60", "event 60");
  ASSERT_NE(again, nullptr);
  EXPECT_TRUE(again->Duplicate);

  // Every event once, in order, to a consumer made now.
  const auto read = ReadAll("node-a", kBefore + kAfter);
  ASSERT_EQ(read.size(), static_cast<size_t>(kBefore + kAfter));
  for (size_t i = 0; i < read.size(); ++i) {
    EXPECT_EQ(read[i].first, i + 1);
    EXPECT_EQ(read[i].second, absl::StrCat("event ", i + 1));
  }

  // The killed server rejoins from its store.
  ASSERT_TRUE(cluster_->Restart(killed).ok());
  auto after = Publish("m-101", "event 101");
  ASSERT_NE(after, nullptr) << nats_GetLastError(nullptr);
  EXPECT_EQ(after->Sequence, 101u);
}

}  // namespace
}  // namespace fraudgate
