// The clustered mode end to end (DESIGN §9, issue 8): three real
// nats-server processes clustered with JetStream and three real
// `fraudgate serve --cluster` processes on loopback ports.
// - Propagation: police reports uploaded one at a time on node 0; after each
//   acknowledgement, nodes 1 and 2 are screened until they BLOCK the new
//   account. The latencies are printed (p50/p99/max).
// - The stream leader's NATS server is killed while uploads go on and nodes
//   1 and 2 keep screening: uploads pause until JetStream elects another
//   leader (the pause is printed), screening never fails.
// - Fraudgate node 2 is killed, uploads go on, and the node restarted on its
//   data dir catches up and BLOCKs them.
// - At the end every node has the same list version; stopped, their
//   entities, reports, audit chains and stream positions are identical
//   byte for byte, and each audit chain holds every upload once, in upload
//   order.
// - Node 2 is the history node (--role-history): screenings made on nodes 0
//   and 1 are found there (GetHit, FindPastTransfers through the shared
//   beneficiary hash key), also after its restart.
// - NATS is as deploy/cluster/ sets it up: mutual TLS, each node admitted
//   by its certificate, with the permissions of nats-permissions.conf,
//   which none of the nodes' requests exceeds.
// FRAUDGATE_CLUSTER_UPLOADS (default 40) and FRAUDGATE_CLUSTER_FAILOVER_UPLOADS
// (default 10) set the counts; tests/cluster/run_full.sh runs it large.
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "cluster/jetstream.h"
#include "fraudgate/v1/fraudgate.grpc.pb.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "store/hmac_key.h"
#include "store/keys.h"
#include "tests/testing/child_process.h"
#include "tests/testing/matchers.h"
#include "tests/testing/nats_cluster.h"
#include "tests/testing/store_fixture.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_server.h"

namespace fraudgate {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr int kNodes = 3;
constexpr int kHistory = 2;  // the history node

int EnvInt(const char* name, int fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::atoi(value) : fallback;
}

std::string Account(int k) { return absl::StrCat(880000000 + k); }

v1::Report ReportFor(int k) {
  return testing::MakeReport(
      absl::StrCat("CL-", k), "PA05", v1::EXTORTION_DEEPFAKE, v1::CONFIRMED,
      {testing::MakeIdentifier(v1::BANK_ACCOUNT, "970436", Account(k))});
}

// Percentile `p` (0..100) of `values`, sorted in place.
double Percentile(std::vector<double>& values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t i =
      std::min(values.size() - 1, static_cast<size_t>(p / 100 * values.size()));
  return values[i];
}

std::string Describe(std::vector<double> ms) {
  const double p50 = Percentile(ms, 50), p99 = Percentile(ms, 99);
  return absl::StrFormat("n=%d p50=%.2f ms p99=%.2f ms max=%.2f ms", ms.size(),
                         p50, p99, ms.empty() ? 0 : ms.back());
}

class ClusterNodesTest : public ::testing::Test {
 protected:
  struct Node {
    std::unique_ptr<testing::ServeProcess> process;
    std::unique_ptr<v1::ScreeningService::Stub> screening;
    std::unique_ptr<v1::ReportService::Stub> reports;
    std::unique_ptr<v1::HistoryService::Stub> history;
  };

  void SetUp() override {
    // Mutual TLS to NATS, each node admitted by its certificate with the
    // permissions of deploy/cluster/nats-permissions.conf.
    std::vector<std::string> names;
    for (int i = 0; i < kNodes; ++i) names.push_back(absl::StrCat("f", i));
    ASSERT_OK_AND_ASSIGN(
        const testing::NatsTls tls,
        testing::MakeNodeCertificates(
            std::string(FRAUDGATE_SOURCE_DIR) + "/scripts/dev-certs.sh",
            std::string(FRAUDGATE_SOURCE_DIR) +
                "/deploy/cluster/nats-permissions.conf",
            dir_.path(), names));
    ASSERT_OK_AND_ASSIGN(
        nats_, testing::NatsCluster::Start(NATS_SERVER, dir_.path(), 3, &tls));
    // One beneficiary hash key for every node (DESIGN §3).
    ASSERT_OK_AND_ASSIGN(const std::string key, store::NewHmacKey());
    for (int i = 0; i < kNodes; ++i) {
      std::filesystem::create_directories(Data(i));
      ASSERT_OK(store::WriteHmacKey(Data(i), key));
    }
    for (int i = 0; i < kNodes; ++i) ASSERT_NO_FATAL_FAILURE(StartNode(i));
    for (int i = 0; i < kNodes; ++i) {
      ASSERT_TRUE(WaitServing(i)) << nodes_[i].process->Log();
    }
  }

  std::string Data(int i) { return dir_.File(absl::StrCat("data", i)); }

  void StartNode(int i) {
    Node& node = nodes_[i];
    ASSERT_OK_AND_ASSIGN(
        node.process,
        testing::ServeProcess::Start(
            FRAUDGATE_BIN, Data(i), dir_.File(absl::StrCat("node", i, ".log")),
            {"--cluster=" + nats_->Urls(), absl::StrCat("--node=f", i),
             "--cluster-tls-dir=" + dir_.File(absl::StrCat("tls-f", i)),
             absl::StrCat("--role-history=",
                          i == kHistory ? "true" : "false")}));
    auto channel = grpc::CreateChannel(node.process->address(),
                                       grpc::InsecureChannelCredentials());
    node.screening = v1::ScreeningService::NewStub(channel);
    node.reports = v1::ReportService::NewStub(channel);
    node.history = v1::HistoryService::NewStub(channel);
  }

  // Whether node `i` has hit `hit_id`, within `limit`.
  bool HasHit(int i, const std::string& hit_id,
              absl::Duration limit = absl::Seconds(30)) {
    const absl::Time until = absl::Now() + limit;
    do {
      grpc::ClientContext context;
      v1::GetHitRequest request;
      request.set_hit_id(hit_id);
      v1::Hit hit;
      if (nodes_[i].history->GetHit(&context, request, &hit).ok()) return true;
      absl::SleepFor(absl::Milliseconds(20));
    } while (absl::Now() < until);
    return false;
  }

  // Screens a transfer to Account(k) on node `i`.
  absl::StatusOr<v1::ScreenTransferResponse> Screen(int i, int k) {
    v1::ScreenTransferRequest request;
    request.set_transfer_id(absl::StrCat("t-", next_transfer_++));
    request.set_amount(2'000'000);
    request.mutable_beneficiary()->set_bank("970436");
    request.mutable_beneficiary()->set_account(Account(k));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(5));
    v1::ScreenTransferResponse response;
    grpc::Status s =
        nodes_[i].screening->ScreenTransfer(&context, request, &response);
    if (!s.ok()) {
      return absl::Status(static_cast<absl::StatusCode>(s.error_code()),
                          s.error_message());
    }
    return response;
  }

  // Node `i` answers screenings (it caught up with the stream).
  bool WaitServing(int i) {
    const absl::Time until = absl::Now() + absl::Seconds(60);
    while (absl::Now() < until) {
      if (Screen(i, -1).ok()) return true;
      absl::SleepFor(absl::Milliseconds(50));
    }
    return false;
  }

  // Uploads report k on node `i`; its list version.
  absl::StatusOr<uint64_t> Upload(int i, int k, bool wait_applied = false) {
    grpc::ClientContext context;
    if (wait_applied) context.AddMetadata("fraudgate-wait-applied", "true");
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(60));
    v1::UploadSummary summary;
    auto writer = nodes_[i].reports->UploadReports(&context, &summary);
    writer->Write(ReportFor(k));
    writer->WritesDone();
    grpc::Status s = writer->Finish();
    if (!s.ok()) return absl::UnavailableError(s.error_message());
    if (summary.rejected_size() != 0) {
      return absl::InternalError(summary.rejected(0).message());
    }
    return summary.list_version();
  }

  // Milliseconds from now until node `i` BLOCKs Account(k).
  double MsUntilBlocked(int i, int k, absl::Time since) {
    const absl::Time until = since + absl::Seconds(30);
    while (absl::Now() < until) {
      auto r = Screen(i, k);
      if (r.ok() && r->decision() == v1::DECISION_BLOCK) {
        return absl::ToDoubleMilliseconds(absl::Now() - since);
      }
      absl::SleepFor(absl::Milliseconds(1));
    }
    ADD_FAILURE() << "node " << i << " never blocked account " << k;
    return 1e9;
  }

  testing::TempDir dir_;
  std::unique_ptr<testing::NatsCluster> nats_;
  Node nodes_[kNodes];
  std::atomic<int> next_transfer_{0};
};

TEST_F(ClusterNodesTest, PropagatesSurvivesFailuresAndEndsIdentical) {
  const int uploads = EnvInt("FRAUDGATE_CLUSTER_UPLOADS", 40);
  const int failover_uploads = EnvInt("FRAUDGATE_CLUSTER_FAILOVER_UPLOADS", 10);
  int k = 0;

  // 1. Steady state: acknowledgement on node 0 -> BLOCK on nodes 1 and 2.
  std::vector<double> to_node[kNodes];
  uint64_t last_version = 0;
  for (; k < uploads; ++k) {
    ASSERT_OK_AND_ASSIGN(const uint64_t version, Upload(0, k));
    EXPECT_GT(version, last_version);
    last_version = version;
    // Nodes 1 and 2 in turn, each until it blocks.
    const absl::Time acked = absl::Now();
    bool done[kNodes] = {true, false, false};
    while (!(done[1] && done[2]) && absl::Now() - acked < absl::Seconds(30)) {
      for (int i = 1; i < kNodes; ++i) {
        if (done[i]) continue;
        auto r = Screen(i, k);
        if (r.ok() && r->decision() == v1::DECISION_BLOCK) {
          done[i] = true;
          to_node[i].push_back(absl::ToDoubleMilliseconds(absl::Now() - acked));
        }
      }
    }
    ASSERT_TRUE(done[1] && done[2]) << "upload " << k << " not propagated";
  }
  // The CLI on a cluster node: acknowledged once on the stream, or, with
  // --wait-applied, once applied there, with what it added.
  for (const bool wait : {false, true}) {
    const std::string csv = dir_.File(absl::StrCat("upload", k, ".csv"));
    std::ofstream(csv) << "report_id,agency,reported_at,category,confidence,"
                          "kind,issuer,value,victim_count,amount_lost,note\n"
                       << "CL-" << k << ",PA05,2026-10-01,EXTORTION_DEEPFAKE,"
                       << "CONFIRMED,BANK_ACCOUNT,970436," << Account(k)
                       << ",1,1000000,\n";
    std::vector<std::string> args = {"import", csv, "--insecure",
                                     nodes_[0].process->server_flag()};
    if (wait) args.push_back("--wait-applied");
    const testing::ProcessResult imported =
        testing::RunProcess(FRAUDGATE_BIN, args);
    ASSERT_EQ(imported.exit_code, 0) << imported.Describe();
    if (wait) {
      EXPECT_THAT(imported.out, HasSubstr("reports accepted 1,"));
      EXPECT_THAT(imported.out, HasSubstr("identifiers added 1,"));
      EXPECT_THAT(imported.out, Not(HasSubstr("pending")));
    } else {
      EXPECT_THAT(imported.out, HasSubstr("reports accepted 0,"));
      EXPECT_THAT(imported.out, HasSubstr("reports pending 1:"));
    }
    last_version = k + 1;
    EXPECT_THAT(imported.out,
                HasSubstr(absl::StrCat("list_version ", last_version)));
    MsUntilBlocked(2, k, absl::Now());
    ++k;
  }

  std::cout << "propagation to node 1: " << Describe(to_node[1]) << "\n"
            << "propagation to node 2: " << Describe(to_node[2]) << std::endl;

  // 2. Kill the NATS server leading FRAUDGATE_LIST while uploads go on and
  // nodes 1 and 2 keep screening.
  cluster::JetStreamOptions js_options;
  for (int s = 0; s < nats_->size(); ++s) {
    js_options.servers.push_back(nats_->Url(s));
  }
  js_options.tls_dir = dir_.File("tls-f0");  // as node 0
  ASSERT_OK_AND_ASSIGN(auto js, cluster::JetStream::Connect(js_options));
  ASSERT_OK_AND_ASSIGN(const std::string leader,
                       js->StreamLeader("FRAUDGATE_LIST"));
  js.reset();
  int killed = -1;
  for (int s = 0; s < nats_->size(); ++s) {
    if (nats_->Name(s) == leader) killed = s;
  }
  ASSERT_GE(killed, 0) << "leader " << leader;
  std::atomic<bool> stop{false};
  std::atomic<int> screened{0}, screening_errors{0}, blocked{0};
  std::string first_error;
  std::vector<std::thread> screeners;
  for (int i = 1; i < kNodes; ++i) {
    screeners.emplace_back([&, i] {
      for (int n = 0; !stop; ++n) {
        auto r = Screen(i, n % uploads);
        ++screened;
        if (!r.ok()) {
          if (screening_errors++ == 0) first_error = r.status().ToString();
        } else if (r->decision() == v1::DECISION_BLOCK) {
          ++blocked;
        }
        absl::SleepFor(absl::Milliseconds(2));
      }
    });
  }
  absl::SleepFor(absl::Milliseconds(300));
  nats_->Kill(killed);
  const absl::Time killed_at = absl::Now();
  std::vector<double> upload_ms;
  for (int n = 0; n < failover_uploads; ++n, ++k) {
    const absl::Time start = absl::Now();
    ASSERT_OK_AND_ASSIGN(const uint64_t version, Upload(0, k));
    upload_ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
    EXPECT_GT(version, last_version);
    last_version = version;
  }
  const double first_upload_s = upload_ms.front() / 1000;
  absl::SleepFor(absl::Milliseconds(500));
  stop = true;
  for (auto& t : screeners) t.join();
  std::cout << absl::StrFormat(
                   "stream leader %s killed: first upload after it took "
                   "%.2f s, %d uploads in %.2f s; %d screenings on nodes 1-2 "
                   "meanwhile, %d errors",
                   leader, first_upload_s, failover_uploads,
                   absl::ToDoubleSeconds(absl::Now() - killed_at),
                   screened.load(), screening_errors.load())
            << std::endl;
  EXPECT_EQ(screening_errors.load(), 0) << first_error;
  EXPECT_GT(blocked.load(), 0);
  for (int i = 1; i < kNodes; ++i) {
    MsUntilBlocked(i, k - 1, absl::Now());
  }
  ASSERT_OK(nats_->Restart(killed));

  // 3. Kill fraudgate node 2; uploads go on; restarted, it catches up.
  nodes_[2].process->Kill();
  for (int n = 0; n < 5; ++n, ++k) {
    ASSERT_OK_AND_ASSIGN(last_version, Upload(0, k, /*wait_applied=*/true));
  }
  const absl::Time restarting = absl::Now();
  ASSERT_NO_FATAL_FAILURE(StartNode(2));
  const double caught_up_ms = MsUntilBlocked(2, k - 1, restarting);
  std::cout << absl::StrFormat(
                   "fraudgate node 2 killed, 5 uploads, restarted: BLOCKs the "
                   "last one %.0f ms after its restart",
                   caught_up_ms)
            << std::endl;

  // 4. The same list version everywhere, then identical stores.
  for (int i = 0; i < kNodes; ++i) {
    const absl::Time until = absl::Now() + absl::Seconds(30);
    uint64_t version = 0;
    while (absl::Now() < until) {
      auto r = Screen(i, k - 1);
      if (r.ok() && (version = r->list_version()) == last_version) break;
      absl::SleepFor(absl::Milliseconds(20));
    }
    EXPECT_EQ(version, last_version) << "node " << i;
  }
  // The history node has the other nodes' screenings; the others do not.
  ASSERT_OK_AND_ASSIGN(auto listed, Screen(0, 0));
  EXPECT_EQ(listed.decision(), v1::DECISION_BLOCK);
  ASSERT_OK_AND_ASSIGN(auto unlisted, Screen(1, 777777));
  EXPECT_EQ(unlisted.decision(), v1::DECISION_ALLOW);
  const absl::Time screened_at = absl::Now();
  EXPECT_TRUE(HasHit(kHistory, listed.hit_id()))
      << nodes_[kHistory].process->Log() << nodes_[0].process->Log();
  EXPECT_TRUE(HasHit(kHistory, unlisted.hit_id()));
  std::cout << absl::StrFormat(
                   "history node has screenings of nodes 0 and 1 %.0f ms "
                   "after them",
                   absl::ToDoubleMilliseconds(absl::Now() - screened_at))
            << std::endl;
  EXPECT_FALSE(HasHit(0, unlisted.hit_id(), absl::ZeroDuration()));
  {
    grpc::ClientContext context;
    v1::FindPastTransfersRequest request;
    *request.mutable_identifier() =
        testing::MakeIdentifier(v1::BANK_ACCOUNT, "970436", Account(777777));
    v1::QueryHitsResponse past;
    ASSERT_TRUE(nodes_[kHistory]
                    .history->FindPastTransfers(&context, request, &past)
                    .ok());
    ASSERT_EQ(past.hits_size(), 1);
    EXPECT_EQ(past.hits(0).hit_id(), unlisted.hit_id());
  }

  for (int i = 0; i < kNodes; ++i) {
    EXPECT_EQ(nodes_[i].process->Stop(), 0) << nodes_[i].process->Log();
  }
  std::vector<std::string> dumps;
  for (int i = 0; i < kNodes; ++i) {
    testing::RawDb db(Data(i));
    ASSERT_TRUE(db.ok());
    std::string dump;
    for (store::Cf cf :
         {store::Cf::kEntities, store::Cf::kReports, store::Cf::kAudit}) {
      const std::vector<std::string> keys = db.Keys(cf);
      if (cf == store::Cf::kEntities) {
        EXPECT_EQ(keys.size(), static_cast<size_t>(k)) << "node " << i;
      }
      for (const std::string& key : keys) dump += key + "=" + db.Get(cf, key);
    }
    for (std::string_view key :
         {store::kListVersionKey, store::kStreamPositionKey,
          store::kAuditHeadKey, store::kListCountsKey}) {
      dump += db.Get(store::Cf::kMeta, std::string(key));
    }
    // Every upload once, in upload order, at increasing list versions.
    uint64_t version = 0;
    for (int n = 0; n < k; ++n) {
      const v1::AuditRecord record = db.Audit(n + 1);
      EXPECT_EQ(record.report_id(), absl::StrCat("CL-", n)) << "node " << i;
      EXPECT_GT(record.list_version(), version);
      version = record.list_version();
    }
    EXPECT_EQ(version, last_version);
    EXPECT_EQ(db.Find(store::Cf::kAudit, store::AuditKey(k + 1)), std::nullopt);
    dumps.push_back(std::move(dump));
  }
  EXPECT_TRUE(dumps[0] == dumps[1]) << "nodes 0 and 1 differ";
  EXPECT_TRUE(dumps[0] == dumps[2]) << "nodes 0 and 2 differ";
  // A node's data dir served on its own would answer from a list that no
  // longer follows the cluster's: refused.
  const testing::ProcessResult alone = testing::RunProcess(
      FRAUDGATE_BIN,
      {"serve", "--data=" + Data(0), "--insecure", "--listen=127.0.0.1:0"});
  EXPECT_EQ(alone.exit_code, 2) << alone.Describe();
  EXPECT_THAT(alone.err, HasSubstr("cluster node's data dir"));
  // Everything the nodes did was within their NATS permissions.
  for (int i = 0; i < nats_->size(); ++i) {
    EXPECT_THAT(nats_->Log(i), Not(HasSubstr("Violation"))) << "server " << i;
  }
  std::cout << "all " << kNodes << " nodes identical: " << k
            << " entities and audit records, list version " << last_version
            << std::endl;
}

}  // namespace
}  // namespace fraudgate
