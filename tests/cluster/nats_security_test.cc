// NATS as a cluster node meets it in production (deploy/cluster/nats.conf):
// mutual TLS on the client port, each certificate mapped to a NATS user by
// its URI SAN, with the permissions of deploy/cluster/nats-permissions.conf
// (the very file, included by the test servers). Real nats-server processes
// and certificates made by scripts/dev-certs.sh.
// - Admitted nodes run the list over TLS: a write on one is applied on both.
// - Refused: a plaintext client, a certificate the servers do not list (a
//   node not admitted, a bank's client certificate), a plaintext server list
//   that is not on loopback, missing TLS files.
// - An admitted node cannot make other streams, nor delete or purge the
//   list, nor delete one of its events: the list is what police wrote.
#include <nats/nats.h>

#include <filesystem>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "cluster/cluster_list.h"
#include "cluster/jetstream.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "proto/proto_time.h"
#include "service/log.h"
#include "store/store.h"
#include "tests/testing/eventually.h"
#include "tests/testing/matchers.h"
#include "tests/testing/nats_cluster.h"
#include "tests/testing/store_fixture.h"
#include "tests/testing/temp_dir.h"

namespace fraudgate::cluster {
namespace {

using ::fraudgate::testing::Eventually;

using ::fraudgate::testing::KeyOf;
using ::fraudgate::testing::kPhone;
using ::fraudgate::testing::MakeReport;
using ::fraudgate::testing::T;
using ::testing::HasSubstr;

const std::vector<std::string> kAdmitted = {"node-a", "node-b"};

class NatsSecurityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<std::string> nodes = kAdmitted;
    nodes.push_back("stranger");  // certified by the CA, not admitted
    ASSERT_OK_AND_ASSIGN(
        testing::NatsTls tls,
        testing::MakeNodeCertificates(
            std::string(FRAUDGATE_SOURCE_DIR) + "/scripts/dev-certs.sh",
            std::string(FRAUDGATE_SOURCE_DIR) +
                "/deploy/cluster/nats-permissions.conf",
            dir_.path(), nodes));
    tls.users.pop_back();
    certs_ = tls.certs_dir;
    ASSERT_OK_AND_ASSIGN(
        nats_, testing::NatsCluster::Start(NATS_SERVER, dir_.path(), 3, &tls));
  }

  JetStreamOptions Options(const std::string& node) {
    JetStreamOptions options;
    for (int s = 0; s < nats_->size(); ++s) {
      options.servers.push_back(nats_->Url(s));
    }
    options.tls_dir = node.empty() ? "" : dir_.File("tls-" + node);
    options.logger = &logger_;
    return options;
  }

  // Connects as `node`, retrying while JetStream elects its meta leader.
  std::unique_ptr<JetStream> ConnectAs(const std::string& node) {
    auto js = JetStream::Connect(Options(node));
    EXPECT_TRUE(js.ok()) << js.status();
    return js.ok() ? *std::move(js) : nullptr;
  }

  testing::TempDir dir_;
  std::ostringstream log_;
  service::Logger logger_{&log_};
  std::string certs_;
  std::unique_ptr<testing::NatsCluster> nats_;
};

TEST_F(NatsSecurityTest, AdmittedNodesRunTheListOverTls) {
  struct Node {
    std::unique_ptr<store::Store> store;
    std::unique_ptr<JetStream> js;
    std::unique_ptr<ClusterList> list;
  } nodes[2];
  for (int i = 0; i < 2; ++i) {
    store::StoreOptions store_options;
    store_options.path = dir_.File(kAdmitted[i] + "-data");
    ASSERT_OK_AND_ASSIGN(nodes[i].store, store::Store::Open(store_options));
    nodes[i].js = ConnectAs(kAdmitted[i]);
    ASSERT_NE(nodes[i].js, nullptr);
    ClusterListOptions options;
    options.node = kAdmitted[i];
    options.logger = &logger_;
    ASSERT_OK_AND_ASSIGN(
        nodes[i].list,
        ClusterList::Start(nodes[i].js.get(), &nodes[i].store->blocklist(),
                           options));
  }
  ASSERT_TRUE(Eventually([&] {
    return nodes[0].list->Fresh().ok() && nodes[1].list->Fresh().ok();
  })) << log_.str();

  v1::ListEvent event;
  event.set_actor("police/a05");
  *event.mutable_at() = ToProtoTime(absl::Now());
  *event.mutable_upload()->add_reports() =
      MakeReport("A05", "R-TLS", {kPhone}, T(1));
  service::WriteOptions wait;
  wait.wait_applied = true;
  ASSERT_OK_AND_ASSIGN(service::Written written,
                       nodes[0].list->Write(event, wait));
  EXPECT_EQ(written.list_version, 1u);
  ASSERT_TRUE(Eventually([&] { return nodes[1].list->applied() == 1; }))
      << log_.str();
  ASSERT_OK_AND_ASSIGN(auto entity,
                       nodes[1].store->blocklist().GetEntity(KeyOf(kPhone)));
  EXPECT_TRUE(entity.has_value());
  for (Node& node : nodes) node.list.reset();
}

TEST_F(NatsSecurityTest, ClientsWithoutAnAdmittedCertificateAreRefused) {
  // No certificate (libnats takes up the TLS the servers require, with
  // nothing to show; plaintext is allowed by the options: loopback).
  JetStreamOptions plaintext = Options("");
  for (std::string& url : plaintext.servers) {
    url.replace(0, url.find("://"), "nats");
  }
  EXPECT_EQ(JetStream::Connect(plaintext).status().code(),
            absl::StatusCode::kUnavailable);

  // A node the CA certified but nats.conf does not list.
  absl::Status stranger = JetStream::Connect(Options("stranger")).status();
  EXPECT_EQ(stranger.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(stranger.message(), HasSubstr("Authorization"));

  // A fraudgate caller's certificate (a bank's) is not a node.
  JetStreamOptions bank = Options("node-a");
  bank.tls_dir = dir_.File("tls-bank");
  std::filesystem::create_directories(bank.tls_dir);
  std::filesystem::copy_file(certs_ + "/ca.pem", bank.tls_dir + "/ca.pem");
  std::filesystem::copy_file(certs_ + "/bank.pem", bank.tls_dir + "/node.pem");
  std::filesystem::copy_file(certs_ + "/bank-key.pem",
                             bank.tls_dir + "/node-key.pem");
  const absl::Status refused = JetStream::Connect(bank).status();
  EXPECT_EQ(refused.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(refused.message(), HasSubstr("Authorization"));
}

TEST_F(NatsSecurityTest, OptionsThatWouldNotBeSecureAreRefused) {
  JetStreamOptions remote;
  remote.servers = {"nats://10.1.2.3:4222"};
  absl::Status s = ValidateJetStreamOptions(remote);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("cluster.tls_dir"));
  EXPECT_EQ(JetStream::Connect(remote).status().code(),
            absl::StatusCode::kInvalidArgument);

  JetStreamOptions loopback_tls;
  loopback_tls.servers = {"tls://127.0.0.1:4222"};
  EXPECT_THAT(ValidateJetStreamOptions(loopback_tls).message(),
              HasSubstr("cluster.tls_dir"));

  remote.tls_dir = dir_.File("tls-missing");
  s = ValidateJetStreamOptions(remote);
  EXPECT_THAT(s.message(), HasSubstr("tls-missing/ca.pem"));

  remote.tls_dir = dir_.File("tls-node-a");
  EXPECT_TRUE(ValidateJetStreamOptions(remote).ok());
  for (const char* bad : {"10.1.2.3:4222", "http://nats:4222", "nats://nats",
                          "nats://user:pw@nats:4222", "nats://nats:42x"}) {
    remote.servers = {bad};
    s = ValidateJetStreamOptions(remote);
    EXPECT_THAT(s.message(), HasSubstr("cluster.servers")) << bad;
  }
}

TEST_F(NatsSecurityTest, AnAdmittedNodeCannotRewriteTheList) {
  std::unique_ptr<JetStream> js = ConnectAs("node-a");
  ASSERT_NE(js, nullptr);
  ASSERT_TRUE(Eventually([&] {
    return js->AddStream("FRAUDGATE_LIST", "fraudgate.list", 3).ok();
  }));
  ASSERT_OK(js->Publish("fraudgate.list", "event 1", "id-1").status());
  ASSERT_OK(js->Publish("fraudgate.list", "event 2", "id-2").status());

  EXPECT_FALSE(js->AddStream("OTHER", "other.subject", 1).ok());
  // The servers say why; the node logs it.
  EXPECT_TRUE(Eventually([&] {
    return log_.str().find("Permissions Violation") != std::string::npos;
  })) << log_.str();

  // What the JetStream API would allow, asked directly with the node's own
  // connection (libnats, as cluster/jetstream.cc does): refused, so the
  // requests go unanswered.
  natsOptions* opts = nullptr;
  ASSERT_EQ(natsOptions_Create(&opts), NATS_OK);
  const std::string url = nats_->Url(0);
  const std::string tls = dir_.File("tls-node-a");
  natsOptions_SetURL(opts, url.c_str());
  natsOptions_SetSecure(opts, true);
  natsOptions_LoadCATrustedCertificates(opts, (tls + "/ca.pem").c_str());
  natsOptions_LoadCertificatesChain(opts, (tls + "/node.pem").c_str(),
                                    (tls + "/node-key.pem").c_str());
  natsConnection* connection = nullptr;
  ASSERT_EQ(natsConnection_Connect(&connection, opts), NATS_OK);
  jsCtx* raw = nullptr;
  jsOptions js_options;
  jsOptions_Init(&js_options);
  js_options.Wait = 1000;
  ASSERT_EQ(natsConnection_JetStream(&raw, connection, &js_options), NATS_OK);
  EXPECT_NE(js_DeleteMsg(raw, "FRAUDGATE_LIST", 1, nullptr, nullptr), NATS_OK);
  EXPECT_NE(js_PurgeStream(raw, "FRAUDGATE_LIST", nullptr, nullptr), NATS_OK);
  EXPECT_NE(js_DeleteStream(raw, "FRAUDGATE_LIST", nullptr, nullptr), NATS_OK);
  jsCtx_Destroy(raw);
  natsConnection_Destroy(connection);
  natsOptions_Destroy(opts);

  ASSERT_OK_AND_ASSIGN(uint64_t first, js->FirstSequence("FRAUDGATE_LIST"));
  ASSERT_OK_AND_ASSIGN(uint64_t last, js->LastSequence("FRAUDGATE_LIST"));
  EXPECT_EQ(first, 1u);
  EXPECT_EQ(last, 2u);
}

}  // namespace
}  // namespace fraudgate::cluster
