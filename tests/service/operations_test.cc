// What operators see of a real server (issue 7): /metrics scraped after load
// from several threads and parsed (RPC counts by code, latency histograms,
// decisions, hit writes, store figures), the access log (errors, decisions
// and a sample by default, every call at debug, none above info; no
// identifier), the standard health service on the
// gRPC port and on the plaintext health port, server reflection, /healthz and
// /readyz, and NOT_SERVING once a failed write made the store read-only;
// then, through a fault-injecting Env (issue 20), a full disk: NOT_SERVING
// while it lasts, SERVING again by itself once space returns, nothing
// acknowledged lost; and a slow disk: screenings over their budget refused
// at once, never more in flight than the budget.
#include <algorithm>
#include <atomic>
#include <iostream>
#include <sstream>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "tests/testing/eventually.h"
#include "tests/testing/fault_env.h"
#include "tests/testing/matchers.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_server.h"

namespace fraudgate {
namespace {

using grpc::health::v1::HealthCheckResponse;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kListedAccount[] = "0071001234567";

v1::ScreenTransferRequest Transfer(const std::string& id,
                                   const std::string& account) {
  v1::ScreenTransferRequest request;
  request.set_transfer_id(id);
  request.set_amount(500000);
  request.mutable_beneficiary()->set_bank("VCB");
  request.mutable_beneficiary()->set_account(account);
  return request;
}

// The samples of a Prometheus text exposition: "name{labels}" -> value.
// Fails the test for a line that is not a comment or a sample, or a sample
// of a family without # HELP and # TYPE.
std::map<std::string, double> ParseMetrics(const std::string& text) {
  std::map<std::string, double> samples;
  std::set<std::string> typed;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (line.empty()) continue;
    if (absl::StartsWith(line, "# TYPE ") ||
        absl::StartsWith(line, "# HELP ")) {
      std::vector<absl::string_view> words = absl::StrSplit(line, ' ');
      EXPECT_GE(words.size(), 4u) << line;
      if (absl::StartsWith(line, "# TYPE ")) {
        typed.insert(std::string(words[2]));
      }
      continue;
    }
    const size_t space = line.rfind(' ');
    if (space == absl::string_view::npos) {
      ADD_FAILURE() << "not a sample: " << line;
      continue;
    }
    double value = 0;
    EXPECT_TRUE(absl::SimpleAtod(line.substr(space + 1), &value)) << line;
    const std::string key(line.substr(0, space));
    std::string family = key.substr(0, key.find('{'));
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      if (!typed.contains(family) && absl::EndsWith(family, suffix)) {
        family.resize(family.size() - strlen(suffix));
      }
    }
    EXPECT_TRUE(typed.contains(family)) << "no # TYPE before " << line;
    samples[key] = value;
  }
  return samples;
}

// A server reflection call listing the services (ServerReflectionRequest
// {list_services: "*"}, raw bytes: Debian ships no reflection.proto).
class ListServices
    : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  explicit ListServices(grpc::GenericStub& stub) {
    grpc::Slice slice(std::string("\x3a\x01*", 3));
    request_ = grpc::ByteBuffer(&slice, 1);
    context_.set_deadline(std::chrono::system_clock::now() +
                          std::chrono::seconds(10));
    stub.PrepareBidiStreamingCall(
        &context_,
        "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", {},
        this);
    StartWrite(&request_);
    StartRead(&response_);
    StartCall();
  }
  void OnWriteDone(bool) override { StartWritesDone(); }
  void OnReadDone(bool ok) override {
    if (!ok) return;
    std::vector<grpc::Slice> slices;
    if (response_.Dump(&slices).ok()) {
      for (const grpc::Slice& s : slices) {
        bytes_.append(reinterpret_cast<const char*>(s.begin()), s.size());
      }
    }
  }
  void OnDone(const grpc::Status& status) override {
    status_ = status;
    done_.Notify();
  }
  // The response bytes, once the call ended with `code`.
  std::string Wait(grpc::StatusCode code) {
    done_.WaitForNotification();
    EXPECT_EQ(status_.error_code(), code) << status_.error_message();
    return bytes_;
  }

 private:
  grpc::ClientContext context_;
  grpc::ByteBuffer request_, response_;
  std::string bytes_;
  grpc::Status status_;
  absl::Notification done_;
};

class OperationsTest : public ::testing::Test {
 protected:
  void Start(rocksdb::Env* env = nullptr, service::ServerOptions options = {}) {
    options.http_listen = "127.0.0.1:0";
    options.health_listen = "127.0.0.1:0";
    options.logger = &logger_;
    auto server = testing::TestServer::Start(dir_.path(), options, env);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    http_ =
        std::make_unique<httplib::Client>("127.0.0.1", server_->http_port());
  }

  grpc::Status Screen(const v1::ScreenTransferRequest& request,
                      v1::ScreenTransferResponse* response = nullptr) {
    v1::ScreenTransferResponse ignored;
    grpc::ClientContext context;
    return server_->screening().ScreenTransfer(&context, request,
                                               response ? response : &ignored);
  }

  std::map<std::string, double> Scrape() {
    auto res = http_->Get("/metrics");
    EXPECT_TRUE(res) << "GET /metrics failed";
    if (!res) return {};
    EXPECT_EQ(res->status, 200);
    return ParseMetrics(res->body);
  }

  // The health of the server as a whole, asked on `channel`.
  static absl::StatusOr<HealthCheckResponse::ServingStatus> Health(
      std::shared_ptr<grpc::Channel> channel, const std::string& service = "") {
    auto stub = grpc::health::v1::Health::NewStub(channel);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(10));
    grpc::health::v1::HealthCheckRequest request;
    request.set_service(service);
    HealthCheckResponse response;
    grpc::Status s = stub->Check(&context, request, &response);
    if (!s.ok()) return absl::UnavailableError(s.error_message());
    return response.status();
  }

  std::shared_ptr<grpc::Channel> HealthPortChannel() const {
    return grpc::CreateChannel(
        "127.0.0.1:" + std::to_string(server_->health_port()),
        grpc::InsecureChannelCredentials());
  }

  // The access-log lines of `event` "rpc" written so far.
  std::vector<std::string> RpcLines() {
    logger_.Flush();
    std::vector<std::string> lines;
    for (absl::string_view line : absl::StrSplit(log_.str(), '\n')) {
      if (absl::StrContains(line, "\"event\":\"rpc\"")) {
        lines.emplace_back(line);
      }
    }
    return lines;
  }

  testing::TempDir dir_;
  std::stringstream log_;
  service::Logger logger_{&log_};
  std::unique_ptr<testing::TestServer> server_;
  std::unique_ptr<httplib::Client> http_;
};

TEST_F(OperationsTest, MetricsCountEveryCallAndTheAccessLogWhatMatters) {
  ASSERT_NO_FATAL_FAILURE(Start());
  auto summary = testing::Upload(
      server_->reports(),
      {testing::MakeReport("R-1", "PA05", v1::EXTORTION_DEEPFAKE, v1::CONFIRMED,
                           {testing::MakeIdentifier(v1::BANK_ACCOUNT, "970436",
                                                    kListedAccount)})});
  ASSERT_TRUE(summary.ok()) << summary.status();

  constexpr int kThreads = 4, kPerThread = 25;
  std::vector<std::thread> threads;
  std::atomic<int> failed{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string id = absl::StrCat("t", t, "-", i);
        if (!Screen(Transfer(id, absl::StrCat("55500", t, 100 + i))).ok()) {
          ++failed;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  ASSERT_EQ(failed.load(), 0);
  v1::ScreenTransferResponse blocked;
  ASSERT_TRUE(Screen(Transfer("b-1", kListedAccount), &blocked).ok());
  ASSERT_EQ(blocked.decision(), v1::DECISION_BLOCK);
  EXPECT_EQ(Screen(Transfer("", "123456789")).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  const int ok_calls = kThreads * kPerThread + 1;
  std::map<std::string, double> m = Scrape();
  const std::string screen =
      "service=\"fraudgate.v1.ScreeningService\",method=\"ScreenTransfer\"";
  EXPECT_EQ(
      m[absl::StrCat("fraudgate_rpc_handled_total{", screen, ",code=\"OK\"}")],
      ok_calls);
  EXPECT_EQ(m[absl::StrCat("fraudgate_rpc_handled_total{", screen,
                           ",code=\"INVALID_ARGUMENT\"}")],
            1);
  EXPECT_EQ(m["fraudgate_rpc_handled_total{service=\"fraudgate.v1."
              "ReportService\",method=\"UploadReports\",code=\"OK\"}"],
            1);
  // The latency histogram: cumulative buckets ending at +Inf = count.
  const double count =
      m[absl::StrCat("fraudgate_rpc_duration_seconds_count{", screen, "}")];
  EXPECT_EQ(count, ok_calls + 1);
  double previous = 0;
  for (const double le : service::LatencyBuckets()) {
    std::ostringstream bound;
    bound << le;
    const auto it =
        m.find(absl::StrCat("fraudgate_rpc_duration_seconds_bucket{", screen,
                            ",le=\"", bound.str(), "\"}"));
    ASSERT_NE(it, m.end()) << "bucket le=" << bound.str();
    EXPECT_GE(it->second, previous);
    previous = it->second;
  }
  EXPECT_EQ(m[absl::StrCat("fraudgate_rpc_duration_seconds_bucket{", screen,
                           ",le=\"+Inf\"}")],
            count);
  EXPECT_GT(m[absl::StrCat("fraudgate_rpc_duration_seconds_sum{", screen, "}")],
            0);

  EXPECT_EQ(m["fraudgate_screening_decisions_total{decision=\"ALLOW\"}"],
            kThreads * kPerThread);
  EXPECT_EQ(m["fraudgate_screening_decisions_total{decision=\"BLOCK\"}"], 1);
  EXPECT_EQ(m.at("fraudgate_screening_decisions_total{decision=\"HOLD\"}"), 0);
  EXPECT_EQ(m["fraudgate_hit_records_total{result=\"ok\"}"], ok_calls);
  EXPECT_EQ(m.at("fraudgate_hit_records_total{result=\"error\"}"), 0);
  EXPECT_EQ(m.at("fraudgate_log_lines_dropped_total"), 0);
  EXPECT_GE(m["fraudgate_hit_write_seconds_count"], 1);
  EXPECT_LE(m["fraudgate_hit_write_seconds_count"], ok_calls);
  EXPECT_EQ(m["fraudgate_list_version"], 1);
  for (const char* kind : {"PHONE", "BANK_ACCOUNT", "EWALLET", "CHAT_HANDLE"}) {
    for (const char* status : {"ACTIVE", "DELISTED"}) {
      EXPECT_EQ(
          m.at(absl::StrCat("fraudgate_blocklist_identifiers{kind=\"", kind,
                            "\",status=\"", status, "\"}")),
          kind == std::string("BANK_ACCOUNT") && status == std::string("ACTIVE")
              ? 1
              : 0)
          << kind << " " << status;
    }
  }
  EXPECT_EQ(m.at("fraudgate_store_read_only"), 0);
  EXPECT_EQ(m.at("fraudgate_in_flight_calls"), 0);
  for (const char* cf :
       {"entities", "reports", "audit", "hits", "hits_by_identifier",
        "hits_by_transfer", "hits_by_beneficiary", "meta"}) {
    EXPECT_TRUE(m.contains(
        absl::StrCat("fraudgate_store_sst_bytes{column_family=\"", cf, "\"}")))
        << cf;
    EXPECT_GT(m[absl::StrCat("fraudgate_store_memtable_bytes{column_family=\"",
                             cf, "\"}")],
              0)
        << cf;
  }
  for (const char* name : {"fraudgate_store_pending_compaction_bytes",
                           "fraudgate_store_block_cache_hit_ratio",
                           "fraudgate_store_block_cache_hits_total",
                           "fraudgate_store_block_cache_misses_total",
                           "fraudgate_store_write_stall_seconds_total",
                           "fraudgate_store_writes_stopped"}) {
    EXPECT_TRUE(m.contains(name)) << name;
  }

  // Access lines at the default options: the error and the BLOCK, and one
  // ordinary call in 1000 (the first, the upload); caller, method, code,
  // latency, decision and why; the beneficiary's account is not in the log.
  std::vector<std::string> lines = RpcLines();
  for (const std::string& line : lines) {
    EXPECT_THAT(line, HasSubstr("\"caller\":\"admin/insecure\""));
    EXPECT_THAT(line, HasSubstr("\"latency_ms\":"));
    EXPECT_THAT(line, Not(HasSubstr(kListedAccount)));
  }
  ASSERT_EQ(lines.size(), 3u) << absl::StrJoin(lines, "\n");
  EXPECT_THAT(lines[0], HasSubstr("ReportService/UploadReports"));
  EXPECT_THAT(lines[0], HasSubstr("\"why\":\"sample\""));
  EXPECT_THAT(lines[1],
              HasSubstr("\"decision\":\"BLOCK\",\"why\":\"decision\""));
  EXPECT_THAT(lines[2],
              HasSubstr("\"code\":\"INVALID_ARGUMENT\",\"latency_ms\""));
  EXPECT_THAT(lines[2], HasSubstr("\"why\":\"error\""));
  EXPECT_EQ(m["fraudgate_access_log_lines_total{why=\"sample\"}"], 1);
  EXPECT_EQ(m["fraudgate_access_log_lines_total{why=\"decision\"}"], 1);
  EXPECT_EQ(m["fraudgate_access_log_lines_total{why=\"error\"}"], 1);
  EXPECT_EQ(m["fraudgate_access_log_unlogged_total{why=\"sampled_out\"}"],
            kThreads * kPerThread);

  // At debug level, a line for every call.
  logger_.set_min_level(service::LogLevel::kDebug);
  ASSERT_TRUE(Screen(Transfer("loud", "999888776")).ok());
  lines = RpcLines();
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_THAT(lines[3], HasSubstr("\"decision\":\"ALLOW\",\"why\":\"all\""));

  // Above info, no access lines.
  logger_.set_min_level(service::LogLevel::kWarning);
  ASSERT_TRUE(Screen(Transfer("quiet", "999888777")).ok());
  ASSERT_TRUE(Screen(Transfer("", "999888777")).error_code() ==
              grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(RpcLines().size(), lines.size());
}

// The health port comes up before the store is opened and answers
// NOT_SERVING until a server over the open store takes it.
TEST_F(OperationsTest, HealthPortIsNotServingWhileTheStoreOpens) {
  service::ServerOptions options;
  options.insecure = true;
  options.listen = "127.0.0.1:0";
  options.health_listen = "127.0.0.1:0";
  options.logger = &logger_;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<service::HealthPort> port,
                       service::HealthPort::Start(options));
  auto channel =
      grpc::CreateChannel("127.0.0.1:" + std::to_string(port->port()),
                          grpc::InsecureChannelCredentials());
  EXPECT_EQ(Health(channel).value_or(HealthCheckResponse::UNKNOWN),
            HealthCheckResponse::NOT_SERVING);
  EXPECT_EQ(Health(channel, "fraudgate.v1.ScreeningService")
                .value_or(HealthCheckResponse::UNKNOWN),
            HealthCheckResponse::NOT_SERVING);

  store::StoreOptions store_options;
  store_options.path = dir_.File("data");
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<store::Store> store,
                       store::Store::Open(store_options));
  ASSERT_OK_AND_ASSIGN(
      std::unique_ptr<service::Server> server,
      service::Server::Start(store.get(), options, std::move(port)));
  EXPECT_NE(server->health_port(), 0);
  for (const std::string service :
       {"", "fraudgate.v1.ScreeningService", "fraudgate.v1.ReportService",
        "fraudgate.v1.HistoryService"}) {
    EXPECT_EQ(Health(channel, service).value_or(HealthCheckResponse::UNKNOWN),
              HealthCheckResponse::SERVING)
        << service;
  }
  server.reset();
  EXPECT_FALSE(Health(channel).ok());  // the port closed with the server
}

TEST_F(OperationsTest, HealthPortOnAPortInUseIsUnavailable) {
  service::ServerOptions options;
  options.insecure = true;
  options.health_listen = "127.0.0.1:0";
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<service::HealthPort> taken,
                       service::HealthPort::Start(options));
  options.health_listen = "127.0.0.1:" + std::to_string(taken->port());
  const auto second = service::HealthPort::Start(options);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable)
      << second.status();
  EXPECT_THAT(std::string(second.status().message()),
              HasSubstr(options.health_listen));
}

TEST_F(OperationsTest, ReflectionIsOffUnlessAsked) {
  ASSERT_NO_FATAL_FAILURE(Start());
  grpc::GenericStub stub(server_->channel());
  ListServices call(stub);
  EXPECT_EQ(call.Wait(grpc::StatusCode::UNIMPLEMENTED), "");
}

TEST_F(OperationsTest, HealthReflectionAndProbes) {
  service::ServerOptions with_reflection;
  with_reflection.reflection = true;
  ASSERT_NO_FATAL_FAILURE(Start(nullptr, with_reflection));
  EXPECT_EQ(Health(server_->channel()).value_or(HealthCheckResponse::UNKNOWN),
            HealthCheckResponse::SERVING);
  EXPECT_EQ(Health(HealthPortChannel()).value_or(HealthCheckResponse::UNKNOWN),
            HealthCheckResponse::SERVING);
  EXPECT_EQ(Health(server_->channel(), "fraudgate.v1.ScreeningService")
                .value_or(HealthCheckResponse::UNKNOWN),
            HealthCheckResponse::SERVING);
  // The plaintext health port serves nothing else: no reflection, no API.
  {
    auto screening = v1::ScreeningService::NewStub(HealthPortChannel());
    grpc::ClientContext context;
    v1::ScreenTransferResponse response;
    EXPECT_EQ(
        screening
            ->ScreenTransfer(&context, Transfer("p-1", "123456789"), &response)
            .error_code(),
        grpc::StatusCode::UNIMPLEMENTED);
  }
  auto healthz = http_->Get("/healthz");
  ASSERT_TRUE(healthz);
  EXPECT_EQ(healthz->status, 200);
  auto readyz = http_->Get("/readyz");
  ASSERT_TRUE(readyz);
  EXPECT_EQ(readyz->status, 200);
  EXPECT_EQ(readyz->body, "ready\n");

  // Server reflection, asked for, lists the services.
  grpc::GenericStub stub(server_->channel());
  ListServices call(stub);
  const std::string services = call.Wait(grpc::StatusCode::OK);
  for (const char* name :
       {"fraudgate.v1.ScreeningService", "fraudgate.v1.ReportService",
        "fraudgate.v1.HistoryService", "grpc.health.v1.Health"}) {
    EXPECT_THAT(services, HasSubstr(name));
  }
  grpc::GenericStub probe_stub(HealthPortChannel());
  ListServices on_probe_port(probe_stub);
  EXPECT_EQ(on_probe_port.Wait(grpc::StatusCode::UNIMPLEMENTED), "");

  // Shutting down: NOT_SERVING on the health port until it closes.
  server_->server().Shutdown(absl::Seconds(1));
  EXPECT_EQ(Health(HealthPortChannel()).value_or(HealthCheckResponse::UNKNOWN),
            HealthCheckResponse::NOT_SERVING);
}

TEST_F(OperationsTest, UnknownMethodsShareOneSeries) {
  ASSERT_NO_FATAL_FAILURE(Start());
  grpc::GenericStub stub(server_->channel());
  for (const char* path : {"/no.Such/Thing", "/fraudgate.v1.X/Y"}) {
    grpc::ClientContext context;
    grpc::Slice empty("");
    grpc::ByteBuffer request(&empty, 1), response;
    absl::Notification done;
    grpc::Status status;
    stub.UnaryCall(&context, path, {}, &request, &response,
                   [&](grpc::Status s) {
                     status = std::move(s);
                     done.Notify();
                   });
    done.WaitForNotification();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNIMPLEMENTED) << path;
  }
  std::map<std::string, double> m = Scrape();
  EXPECT_EQ(m.at("fraudgate_rpc_handled_total{service=\"unknown\",method="
                 "\"unknown\",code=\"UNIMPLEMENTED\"}"),
            2);
  for (const auto& [key, value] : m) {
    EXPECT_FALSE(absl::StrContains(key, "no.Such")) << key;
  }
  logger_.Flush();
  EXPECT_THAT(log_.str(), HasSubstr("\"method\":\"/no.Such/Thing\""));
}

TEST(ServerOptionsTest, AddressesAreHostPortOnDistinctPorts) {
  service::ServerOptions options;
  options.insecure = true;
  EXPECT_TRUE(service::ValidateServerOptions(options).ok());
  options.http_listen = "8080";
  auto s = service::ValidateServerOptions(options);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("http_listen: HOST:PORT expected"));
  options.http_listen = "127.0.0.1:8080";
  options.health_listen = "localhost:50051";  // listen's port
  s = service::ValidateServerOptions(options);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("health_listen: port 50051"));
  options.health_listen = "127.0.0.1:8081";
  EXPECT_TRUE(service::ValidateServerOptions(options).ok());
}

class OperationsFaultTest : public OperationsTest {
 protected:
  // The database must close before the Env it writes through is destroyed.
  void TearDown() override { server_.reset(); }
  testing::FaultEnv fault_env_;
};

TEST_F(OperationsFaultTest, FailedWriteMakesTheServerNotServing) {
  ASSERT_NO_FATAL_FAILURE(Start(&fault_env_));
  ASSERT_TRUE(Screen(Transfer("before", "123456789")).ok());
  fault_env_.FailWrites(true);
  EXPECT_EQ(Screen(Transfer("during", "123456789")).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  // The monitor checks every second.
  HealthCheckResponse::ServingStatus status = HealthCheckResponse::SERVING;
  for (int i = 0; i < 100 && status == HealthCheckResponse::SERVING; ++i) {
    absl::SleepFor(absl::Milliseconds(100));
    status = Health(HealthPortChannel()).value_or(HealthCheckResponse::UNKNOWN);
  }
  EXPECT_EQ(status, HealthCheckResponse::NOT_SERVING);
  EXPECT_EQ(Health(server_->channel()).value_or(HealthCheckResponse::UNKNOWN),
            HealthCheckResponse::NOT_SERVING);
  auto readyz = http_->Get("/readyz");
  ASSERT_TRUE(readyz);
  EXPECT_EQ(readyz->status, 503);
  EXPECT_THAT(readyz->body, HasSubstr("not ready"));
  EXPECT_EQ(Scrape().at("fraudgate_store_read_only"), 1);
  logger_.Flush();
  EXPECT_THAT(log_.str(), HasSubstr("\"event\":\"store_read_only\""));
  // Not a full disk: no resume mends it, so liveness fails too and a probe
  // restarts the process, which reopens the store.
  EXPECT_THAT(log_.str(), HasSubstr("until the store is reopened"));
  auto healthz = http_->Get("/healthz");
  ASSERT_TRUE(healthz);
  EXPECT_EQ(healthz->status, 503);
  EXPECT_THAT(healthz->body, HasSubstr("restart the server"));
  EXPECT_EQ(Health(HealthPortChannel(), service::kLivenessService)
                .value_or(HealthCheckResponse::UNKNOWN),
            HealthCheckResponse::NOT_SERVING);

  fault_env_.FailWrites(false);
}

// A full disk (writes fail with ENOSPC): screening answers UNAVAILABLE and
// uploads fail while it lasts, the server is NOT_SERVING, and once space
// returns it serves again by itself, with every acknowledged screening and
// upload kept and the audit chain whole.
TEST_F(OperationsFaultTest, FullDiskStopsWritesUntilSpaceReturns) {
  ASSERT_NO_FATAL_FAILURE(Start(&fault_env_));
  auto health = [&] {
    return Health(HealthPortChannel()).value_or(HealthCheckResponse::UNKNOWN);
  };
  std::vector<std::string> hit_ids;  // every screening acknowledged
  auto screen_ok = [&](const std::string& id, const std::string& account) {
    v1::ScreenTransferResponse response;
    const grpc::Status s = Screen(Transfer(id, account), &response);
    EXPECT_TRUE(s.ok()) << id << ": " << s.error_message();
    if (s.ok()) hit_ids.push_back(response.hit_id());
    return response.decision();
  };
  auto report_on = [](const std::string& report_id,
                      const std::string& account) {
    return testing::MakeReport(
        report_id, "PA05", v1::EXTORTION_DEEPFAKE, v1::CONFIRMED,
        {testing::MakeIdentifier(v1::BANK_ACCOUNT, "970436", account)});
  };
  constexpr char kListedLater[] = "0071009999999";

  ASSERT_OK(
      testing::Upload(server_->reports(), {report_on("BEFORE", kListedAccount)})
          .status());
  EXPECT_EQ(screen_ok("before-1", kListedAccount), v1::DECISION_BLOCK);
  EXPECT_EQ(screen_ok("before-2", "123456789"), v1::DECISION_ALLOW);

  fault_env_.SetWriteFault(testing::FaultEnv::WriteFault::kNoSpace);
  grpc::Status during = Screen(Transfer("during", "123456789"));
  EXPECT_EQ(during.error_code(), grpc::StatusCode::UNAVAILABLE)
      << during.error_message();
  const auto refused =
      testing::Upload(server_->reports(), {report_on("DURING", kListedLater)});
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable)
      << refused.status();
  ASSERT_TRUE(testing::Eventually(
      [&] { return health() == HealthCheckResponse::NOT_SERVING; },
      absl::Seconds(10)));
  EXPECT_EQ(Health(server_->channel()).value_or(HealthCheckResponse::UNKNOWN),
            HealthCheckResponse::NOT_SERVING);
  auto readyz = http_->Get("/readyz");
  ASSERT_TRUE(readyz);
  EXPECT_EQ(readyz->status, 503);
  EXPECT_EQ(Scrape().at("fraudgate_store_read_only"), 1);
  logger_.Flush();
  EXPECT_THAT(log_.str(), HasSubstr("\"event\":\"store_read_only\""));
  EXPECT_THAT(log_.str(), HasSubstr("until they can resume: IO error: No "
                                    "space left on device"));
  // It can recover by itself: still live.
  auto healthz = http_->Get("/healthz");
  ASSERT_TRUE(healthz);
  EXPECT_EQ(healthz->status, 200);
  EXPECT_EQ(Health(HealthPortChannel(), service::kLivenessService)
                .value_or(HealthCheckResponse::UNKNOWN),
            HealthCheckResponse::SERVING);
  // While the disk stays full, the tries to resume (one a second) fail and
  // change nothing.
  const absl::Time full_until = absl::Now() + absl::Milliseconds(1500);
  while (absl::Now() < full_until) {
    during = Screen(Transfer("during", "123456789"));
    ASSERT_EQ(during.error_code(), grpc::StatusCode::UNAVAILABLE)
        << during.error_message();
    ASSERT_EQ(health(), HealthCheckResponse::NOT_SERVING);
    absl::SleepFor(absl::Milliseconds(100));
  }

  // Space returns: the server serves again without a restart.
  fault_env_.SetWriteFault(testing::FaultEnv::WriteFault::kNone);
  const absl::Time freed = absl::Now();
  ASSERT_TRUE(testing::Eventually(
      [&] { return health() == HealthCheckResponse::SERVING; },
      absl::Seconds(5)))
      << "still not serving 5 s after space returned";
  std::cout << "serving again " << absl::Now() - freed
            << " after space returned\n";
  EXPECT_EQ(Health(server_->channel()).value_or(HealthCheckResponse::UNKNOWN),
            HealthCheckResponse::SERVING);
  readyz = http_->Get("/readyz");
  ASSERT_TRUE(readyz);
  EXPECT_EQ(readyz->status, 200);
  EXPECT_EQ(Scrape().at("fraudgate_store_read_only"), 0);
  logger_.Flush();
  EXPECT_THAT(log_.str(), HasSubstr("\"event\":\"store_writable\""));
  // The refused screening and upload, sent again, were never stored.
  EXPECT_EQ(screen_ok("during", "123456789"), v1::DECISION_ALLOW);
  ASSERT_OK_AND_ASSIGN(
      v1::UploadSummary again,
      testing::Upload(server_->reports(), {report_on("DURING", kListedLater)}));
  EXPECT_EQ(again.reports_accepted(), 1);
  EXPECT_EQ(again.reports_unchanged(), 0);
  EXPECT_EQ(screen_ok("after", kListedLater), v1::DECISION_BLOCK);

  // Everything acknowledged is there after the store is closed and opened
  // again, and nothing else.
  server_.reset();
  ASSERT_NO_FATAL_FAILURE(Start(&fault_env_));
  for (const std::string& hit_id : hit_ids) {
    v1::GetHitRequest request;
    request.set_hit_id(hit_id);
    v1::Hit hit;
    grpc::ClientContext context;
    const grpc::Status s = server_->history().GetHit(&context, request, &hit);
    EXPECT_TRUE(s.ok()) << hit_id << ": " << s.error_message();
  }
  v1::QueryHitsRequest query;
  query.set_page_size(100);
  v1::QueryHitsResponse hits;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(server_->history().QueryHits(&context, query, &hits).ok());
  }
  std::vector<std::string> transfers;
  for (const v1::Hit& hit : hits.hits()) transfers.push_back(hit.transfer_id());
  EXPECT_THAT(transfers, ::testing::UnorderedElementsAre("before-1", "before-2",
                                                         "during", "after"));
  for (const char* account : {kListedAccount, kListedLater}) {
    v1::GetEntityRequest request;
    *request.mutable_identifier() =
        testing::MakeIdentifier(v1::BANK_ACCOUNT, "970436", account);
    v1::Entity entity;
    grpc::ClientContext context;
    const grpc::Status s =
        server_->reports().GetEntity(&context, request, &entity);
    ASSERT_TRUE(s.ok()) << account << ": " << s.error_message();
    EXPECT_EQ(entity.status(), v1::ACTIVE) << account;
    ASSERT_EQ(entity.reports_size(), 1) << account;
  }
  ASSERT_OK_AND_ASSIGN(store::AuditCheck audit,
                       server_->store().blocklist().VerifyAudit());
  EXPECT_TRUE(audit.ok) << audit.problem;
  EXPECT_EQ(audit.records, 2u);
  EXPECT_EQ(audit.list_version, 2u);
}

// A slow disk (every write waits kLatency): screenings over the screening
// budget are refused at once instead of queueing behind the slow writes, the
// calls in flight never exceed the budget, the admitted ones are answered
// once their records are written, and all is fast again once the disk is.
TEST_F(OperationsFaultTest, SlowDiskRefusesScreeningsOverTheBudgetAtOnce) {
  constexpr int kBudget = 4;
  constexpr int kOverBudget = 12;
  constexpr absl::Duration kLatency = absl::Milliseconds(500);
  service::ServerOptions options;
  options.limits.budgets.screening = kBudget;
  ASSERT_NO_FATAL_FAILURE(Start(&fault_env_, std::move(options)));
  ASSERT_TRUE(Screen(Transfer("warm", "123456789")).ok());
  auto in_flight = [&] {
    return ParseMetrics(server_->server().metrics().Render())
        .at("fraudgate_in_flight_screening_calls");
  };
  // Watches the calls in flight until told to stop.
  std::atomic<bool> watching{true};
  std::atomic<double> most_in_flight{0};
  std::thread watcher([&] {
    while (watching) {
      const double now = in_flight();
      if (now > most_in_flight) most_in_flight = now;
      absl::SleepFor(absl::Milliseconds(1));
    }
  });
  struct Call {
    grpc::Status status;
    absl::Duration took;
  };
  // `n` screenings at once, each on its own thread, named `prefix`-i.
  auto fire = [&](const std::string& prefix, int n, std::vector<Call>& calls) {
    calls.resize(n);
    std::vector<std::thread> threads;
    for (int i = 0; i < n; ++i) {
      // The id is made here: `prefix` may be gone once fire returns.
      threads.emplace_back([&, i, id = absl::StrCat(prefix, "-", i)] {
        const absl::Time start = absl::Now();
        calls[i].status = Screen(Transfer(id, "123456789"));
        calls[i].took = absl::Now() - start;
      });
    }
    return threads;
  };
  auto join = [](std::vector<std::thread>& threads) {
    for (std::thread& t : threads) t.join();
  };

  fault_env_.SetWriteLatency(kLatency);
  // The budget's worth of calls, stuck on the slow disk.
  std::vector<Call> admitted, refused;
  std::vector<std::thread> admitted_threads = fire("slow", kBudget, admitted);
  ASSERT_TRUE(testing::Eventually([&] { return in_flight() == kBudget; },
                                  absl::Seconds(10)));
  // More while they wait: each refused at once.
  std::vector<std::thread> refused_threads = fire("over", kOverBudget, refused);
  join(refused_threads);
  join(admitted_threads);
  absl::Duration slowest_refusal;
  for (const Call& call : refused) {
    EXPECT_EQ(call.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
        << call.status.error_message();
    EXPECT_LT(call.took, kLatency / 5);
    slowest_refusal = std::max(slowest_refusal, call.took);
  }
  for (const Call& call : admitted) {
    EXPECT_TRUE(call.status.ok()) << call.status.error_message();
    EXPECT_GE(call.took, kLatency);  // waited for the disk
  }
  std::cout << "refused " << kOverBudget << " screenings over a budget of "
            << kBudget << " in at most " << slowest_refusal
            << " each, under a write latency of " << kLatency << "\n";
  EXPECT_EQ(Scrape().at("fraudgate_shed_calls_total"), kOverBudget);

  // The disk is fast again: so is screening.
  fault_env_.SetWriteLatency(absl::ZeroDuration());
  std::vector<Call> after;
  std::vector<std::thread> after_threads = fire("after", kBudget, after);
  join(after_threads);
  for (const Call& call : after) {
    EXPECT_TRUE(call.status.ok()) << call.status.error_message();
    EXPECT_LT(call.took, kLatency / 5);
  }
  watching = false;
  watcher.join();
  EXPECT_EQ(most_in_flight, kBudget);
  EXPECT_EQ(in_flight(), 0);
}

}  // namespace
}  // namespace fraudgate
