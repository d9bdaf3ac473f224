// Mutual TLS end to end (DESIGN §5): certificates made by the real
// scripts/dev-certs.sh (and by openssl directly for the odd ones: foreign
// SPIFFE ids, no URI SAN, expired), a real server serving mutual TLS on
// 127.0.0.1:0 and real clients over real TLS channels to localhost:PORT.
// Proves that
// - every role may call exactly its RPCs of the §5 table, over all RPCs of
//   the three services (the table is written here, independently of
//   service/auth.cc), and gets PERMISSION_DENIED naming role and method for
//   the others;
// - the identity in the client certificate is what the hit (caller), the
//   outcome (outcome_by), the entity (uploaded_by, history actor) and the
//   audit chain record;
// - a client without a certificate, with one from another CA, with an
//   expired one, with one that carries anything but exactly one fraudgate
//   SPIFFE id as URI SAN, with a CA:TRUE certificate, or with one signed by
//   such a certificate is refused at the handshake of both ports (gRPC
//   UNAVAILABLE, no handler runs; HTTPS no answer);
// - the HTTPS port (--http) takes the same certificates: no certificate or
//   one from another CA fails the handshake, a bank certificate gets 403 on
//   the console's API and an analyst 200, and /metrics answers any role;
// - certificates rotate without a restart, on the gRPC and the HTTPS port,
//   when the TLS directory (a symlink) is swapped atomically;
// - ValidateServerOptions (and Server::Start) refuse mutual TLS without
//   readable TLS files, and a plaintext HTTP port off loopback.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "fraudgate/v1/fraudgate.grpc.pb.h"
#include "fraudgate/v1/storage.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "service/server.h"
#include "tests/testing/child_process.h"
#include "tests/testing/matchers.h"
#include "tests/testing/proto_printer.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_server.h"

namespace fraudgate {
namespace {

using ::testing::HasSubstr;
using testing::MakeIdentifier;
using testing::MakeReport;
using ::testing::Not;
using testing::ProcessResult;
using testing::TempDir;
using testing::TestServer;

const char kOpenssl[] = "/usr/bin/openssl";
const std::vector<std::string> kRoles = {"bank", "police", "analyst", "admin",
                                         "monitor"};

std::string DevCertsScript() {
  return std::string(FRAUDGATE_SOURCE_DIR) + "/scripts/dev-certs.sh";
}

// Runs scripts/dev-certs.sh with `args`; true when it succeeded.
bool DevCerts(const std::vector<std::string>& args) {
  ProcessResult r = testing::RunProcess(DevCertsScript(), args);
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  return r.exit_code == 0;
}

bool Openssl(const std::vector<std::string>& args) {
  ProcessResult r = testing::RunProcess(kOpenssl, args);
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  return r.exit_code == 0;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in) << path;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path);
  out << content;
  EXPECT_TRUE(out.good()) << path;
}

// How IssueWithOpenssl signs.
struct Issue {
  // subjectAltName, e.g. "URI:spiffe://fraudgate/bank/x"; none when empty.
  std::string san;
  // Valid from `start` to `end` (openssl YYYYMMDDHHMMSSZ) or, when `start`
  // is empty, for a day from now.
  std::string start;
  std::string end;
  // CA:TRUE and keyCertSign, as a misissued certificate would have.
  bool ca = false;
  // The signer's certificate and key, PATH.pem and PATH-key.pem; default
  // the CA of `ca_dir`.
  std::string issuer;
};

// A client certificate `name`.pem / `name`-key.pem in `out_dir`, signed by
// the CA in `ca_dir` (or `issue.issuer`) with openssl directly.
bool IssueWithOpenssl(const std::string& ca_dir, const std::string& out_dir,
                      const std::string& name, const Issue& issue) {
  const std::string issuer =
      issue.issuer.empty() ? ca_dir + "/ca" : issue.issuer;
  const std::string& san = issue.san;
  const std::string work = out_dir + "/" + name + ".ca";
  std::filesystem::create_directories(work);
  WriteFile(work + "/index.txt", "");
  WriteFile(work + "/serial", "1000\n");
  WriteFile(work + "/ca.cnf",
            absl::StrCat(
                "[ca]\ndefault_ca = test_ca\n[test_ca]\n", "database = ", work,
                "/index.txt\n", "new_certs_dir = ", work, "\n",
                "serial = ", work, "/serial\n",
                "default_md = sha256\npolicy = policy_any\n"
                "unique_subject = no\n"
                "[policy_any]\ncommonName = supplied\n",
                issue.ca ? "[ext]\nbasicConstraints = critical,CA:TRUE\n"
                           "keyUsage = critical,digitalSignature,"
                           "keyCertSign\n"
                         : "[ext]\nbasicConstraints = critical,CA:FALSE\n"
                           "keyUsage = critical,digitalSignature\n",
                "extendedKeyUsage = clientAuth\n",
                san.empty() ? "" : "subjectAltName = " + san + "\n"));
  const std::string key = out_dir + "/" + name + "-key.pem";
  const std::string csr = work + "/req.csr";
  std::vector<std::string> sign = {"ca",
                                   "-batch",
                                   "-notext",
                                   "-config",
                                   work + "/ca.cnf",
                                   "-extensions",
                                   "ext",
                                   "-cert",
                                   issuer + ".pem",
                                   "-keyfile",
                                   issuer + "-key.pem",
                                   "-in",
                                   csr,
                                   "-out",
                                   out_dir + "/" + name + ".pem"};
  if (issue.start.empty()) {
    sign.insert(sign.end(), {"-days", "1"});
  } else {
    sign.insert(sign.end(), {"-startdate", issue.start, "-enddate", issue.end});
  }
  return Openssl({"genpkey", "-algorithm", "EC", "-pkeyopt",
                  "ec_paramgen_curve:P-256", "-out", key}) &&
         Openssl({"req", "-new", "-key", key, "-subj",
                  "/O=fraudgate/CN=" + name, "-out", csr}) &&
         Openssl(sign);
}

// Trusts `dir`/ca.pem; presents `dir`/`name`.pem unless `name` is empty.
std::shared_ptr<grpc::ChannelCredentials> Credentials(
    const std::string& dir, const std::string& name,
    const std::string& ca_dir = "") {
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = ReadFile((ca_dir.empty() ? dir : ca_dir) + "/ca.pem");
  if (!name.empty()) {
    ssl.pem_cert_chain = ReadFile(dir + "/" + name + ".pem");
    ssl.pem_private_key = ReadFile(dir + "/" + name + "-key.pem");
  }
  return grpc::SslCredentials(ssl);
}

// A new channel with its own connections (no subchannel shared with other
// channels), so each one makes its own TLS handshake.
std::shared_ptr<grpc::Channel> Channel(
    int port, std::shared_ptr<grpc::ChannelCredentials> credentials) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(absl::StrCat("localhost:", port),
                                   std::move(credentials), args);
}

void SetDeadline(grpc::ClientContext& context) {
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(10));
}

std::string CodeName(grpc::StatusCode code) {
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

std::string Describe(const grpc::Status& s) {
  return absl::StrCat(CodeName(s.error_code()), ": ", s.error_message());
}

v1::Identifier Account() {
  return MakeIdentifier(v1::BANK_ACCOUNT, "VCB", "0071001234567");
}

v1::ScreenTransferRequest Transfer(const std::string& id) {
  v1::ScreenTransferRequest r;
  r.set_transfer_id(id);
  r.set_amount(5'000'000);
  r.mutable_beneficiary()->set_bank("VCB");
  r.mutable_beneficiary()->set_account("0071001234567");
  return r;
}

grpc::Status Screen(const std::shared_ptr<grpc::Channel>& channel,
                    const std::string& transfer_id,
                    v1::ScreenTransferResponse* response = nullptr) {
  v1::ScreenTransferResponse ignored;
  grpc::ClientContext context;
  SetDeadline(context);
  return v1::ScreeningService::NewStub(channel)->ScreenTransfer(
      &context, Transfer(transfer_id),
      response != nullptr ? response : &ignored);
}

grpc::Status Upload(const std::shared_ptr<grpc::Channel>& channel,
                    const v1::Report& report) {
  auto stub = v1::ReportService::NewStub(channel);
  grpc::ClientContext context;
  SetDeadline(context);
  v1::UploadSummary summary;
  auto writer = stub->UploadReports(&context, &summary);
  writer->Write(report);
  writer->WritesDone();
  return writer->Finish();
}

// One RPC called with a request that gets past authorization to a handler
// answer (OK, NOT_FOUND, INVALID_ARGUMENT...).
struct Rpc {
  std::string service;  // e.g. "fraudgate.v1.ScreeningService"
  std::string method;   // e.g. "ScreenTransfer"
  std::function<grpc::Status(const std::shared_ptr<grpc::Channel>&)> call;
};

template <typename Stub, typename Request, typename Response>
grpc::Status Unary(const std::shared_ptr<grpc::Channel>& channel,
                   grpc::Status (Stub::*method)(grpc::ClientContext*,
                                                const Request&, Response*),
                   const Request& request) {
  Stub stub(channel);
  grpc::ClientContext context;
  SetDeadline(context);
  Response response;
  return (stub.*method)(&context, request, &response);
}

std::vector<Rpc> AllRpcs() {
  using Screening = v1::ScreeningService::Stub;
  using Reports = v1::ReportService::Stub;
  using History = v1::HistoryService::Stub;
  const std::string kScreening = "fraudgate.v1.ScreeningService";
  const std::string kReports = "fraudgate.v1.ReportService";
  const std::string kHistory = "fraudgate.v1.HistoryService";
  std::vector<Rpc> rpcs;
  rpcs.push_back({kScreening, "ScreenTransfer", [](const auto& c) {
                    return Unary(c, &Screening::ScreenTransfer,
                                 Transfer("matrix-1"));
                  }});
  rpcs.push_back({kScreening, "ScreenTransfers", [](const auto& c) {
                    v1::ScreenTransfersRequest r;
                    *r.add_transfers() = Transfer("matrix-2");
                    return Unary(c, &Screening::ScreenTransfers, r);
                  }});
  rpcs.push_back({kReports, "UploadReports", [](const auto& c) {
                    return Upload(c, MakeReport("M1", "A", v1::OTHER,
                                                v1::SUSPECTED, {Account()}));
                  }});
  rpcs.push_back({kReports, "GetEntity", [](const auto& c) {
                    v1::GetEntityRequest r;
                    *r.mutable_identifier() = Account();
                    return Unary(c, &Reports::GetEntity, r);
                  }});
  rpcs.push_back({kReports, "DelistEntity", [](const auto& c) {
                    v1::DelistEntityRequest r;
                    *r.mutable_identifier() =
                        MakeIdentifier(v1::PHONE, "", "0900000000");
                    r.set_reason("matrix");
                    r.set_reference("CV-1");
                    return Unary(c, &Reports::DelistEntity, r);
                  }});
  rpcs.push_back({kReports, "WithdrawReport", [](const auto& c) {
                    v1::WithdrawReportRequest r;
                    r.set_agency("NOBODY");
                    r.set_report_id("none");
                    r.set_reason("matrix");
                    r.set_reference("CV-1");
                    return Unary(c, &Reports::WithdrawReport, r);
                  }});
  rpcs.push_back({kHistory, "QueryHits", [](const auto& c) {
                    return Unary(c, &History::QueryHits,
                                 v1::QueryHitsRequest());
                  }});
  rpcs.push_back({kHistory, "GetHit", [](const auto& c) {
                    v1::GetHitRequest r;
                    r.set_hit_id("none");
                    return Unary(c, &History::GetHit, r);
                  }});
  rpcs.push_back({kHistory, "RecordOutcome", [](const auto& c) {
                    v1::RecordOutcomeRequest r;
                    r.set_hit_id("none");
                    r.set_outcome(v1::FALSE_POSITIVE);
                    return Unary(c, &History::RecordOutcome, r);
                  }});
  rpcs.push_back({kHistory, "HitStats", [](const auto& c) {
                    return Unary(c, &History::HitStats, v1::HitStatsRequest());
                  }});
  rpcs.push_back({kHistory, "FindPastTransfers", [](const auto& c) {
                    v1::FindPastTransfersRequest r;
                    *r.mutable_identifier() = Account();
                    return Unary(c, &History::FindPastTransfers, r);
                  }});
  return rpcs;
}

// DESIGN §5, written out here on purpose (not computed by service/auth.cc).
const std::map<std::string, std::set<std::string>>& MayCall() {
  static const auto* table = new std::map<std::string, std::set<std::string>>{
      {"bank", {"ScreenTransfer", "ScreenTransfers"}},
      {"police",
       {"UploadReports", "DelistEntity", "WithdrawReport", "GetEntity"}},
      {"analyst",
       {"QueryHits", "GetHit", "RecordOutcome", "HitStats", "FindPastTransfers",
        "GetEntity"}},
      {"admin",
       {"ScreenTransfer", "ScreenTransfers", "UploadReports", "GetEntity",
        "DelistEntity", "WithdrawReport", "QueryHits", "GetHit",
        "RecordOutcome", "HitStats", "FindPastTransfers"}},
      {"monitor", {}},
  };
  return *table;
}

// A CA and the role certificates made by dev-certs.sh (plus "vcb-core", a
// second bank identity), shared by the tests of the suite.
class MtlsTest : public ::testing::Test {
 public:
  static void SetUpTestSuite() {
    certs_ = new TempDir();
    certs_ready_ = DevCerts({certs_->path()}) &&
                   DevCerts({certs_->path(), "issue", "bank", "vcb-core"}) &&
                   DevCerts({certs_->path(), "issue", "monitor", "monitor"});
  }
  static void TearDownTestSuite() {
    delete certs_;
    certs_ = nullptr;
  }

  void SetUp() override { ASSERT_TRUE(certs_ready_); }

  static const std::string& certs() { return certs_->path(); }

  // Starts a mutual TLS server on certs() (or `tls_dir`); server_->channel()
  // is an admin's.
  void StartServer(const std::string& tls_dir = "",
                   service::ServerOptions options = {}) {
    const std::string dir = tls_dir.empty() ? certs() : tls_dir;
    auto server = TestServer::StartTls(
        data_.path(), dir, Credentials(dir, "admin"), std::move(options));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }

  // A new channel to the server presenting certs()/`name`.pem.
  std::shared_ptr<grpc::Channel> As(const std::string& name) {
    return Channel(server_->port(), Credentials(certs(), name));
  }

  // Every hit the server recorded, as admin.
  int HitCount() {
    grpc::ClientContext context;
    SetDeadline(context);
    v1::QueryHitsResponse response;
    grpc::Status s = server_->history().QueryHits(
        &context, v1::QueryHitsRequest(), &response);
    EXPECT_TRUE(s.ok()) << Describe(s);
    return response.hits_size();
  }

  static TempDir* certs_;
  static bool certs_ready_;
  TempDir data_;
  std::unique_ptr<TestServer> server_;
};

TempDir* MtlsTest::certs_ = nullptr;
bool MtlsTest::certs_ready_ = false;

TEST_F(MtlsTest, EveryRoleMayCallExactlyItsRpcs) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  const std::vector<Rpc> rpcs = AllRpcs();

  // The matrix covers every RPC the services declare.
  std::set<std::string> declared, covered;
  for (const char* name :
       {"fraudgate.v1.ScreeningService", "fraudgate.v1.ReportService",
        "fraudgate.v1.HistoryService"}) {
    const google::protobuf::ServiceDescriptor* service =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
            name);
    ASSERT_NE(service, nullptr) << name;
    for (int i = 0; i < service->method_count(); ++i) {
      declared.insert(absl::StrCat(name, "/", service->method(i)->name()));
    }
  }
  for (const Rpc& rpc : rpcs) {
    covered.insert(absl::StrCat(rpc.service, "/", rpc.method));
  }
  EXPECT_EQ(covered, declared);

  bool all_right = true;
  std::string matrix =
      "method               bank                 police               "
      "analyst              admin                monitor\n";
  std::string details;
  std::map<std::string, std::shared_ptr<grpc::Channel>> channels;
  for (const std::string& role : kRoles) channels[role] = As(role);
  for (const Rpc& rpc : rpcs) {
    std::string row = rpc.method;
    row.resize(21, ' ');
    for (const std::string& role : kRoles) {
      const bool allowed = MayCall().at(role).count(rpc.method) > 0;
      const grpc::Status s = rpc.call(channels[role]);
      const grpc::StatusCode code = s.error_code();
      bool right;
      if (allowed) {
        // Past authorization: a handler's own answer, not a refusal and not
        // a transport failure.
        right = code == grpc::StatusCode::OK ||
                code == grpc::StatusCode::NOT_FOUND ||
                code == grpc::StatusCode::INVALID_ARGUMENT ||
                code == grpc::StatusCode::FAILED_PRECONDITION;
      } else {
        right = code == grpc::StatusCode::PERMISSION_DENIED &&
                s.error_message().find(role) != std::string::npos &&
                s.error_message().find(rpc.method) != std::string::npos;
      }
      std::string cell = absl::StrCat(right ? "" : "!", CodeName(code));
      cell.resize(21, ' ');
      row += cell;
      if (!right) {
        all_right = false;
        absl::StrAppend(&details, "  ", role, " ", rpc.method, ": expected ",
                        allowed ? "allowed" : "PERMISSION_DENIED", ", got ",
                        Describe(s), "\n");
      }
    }
    absl::StrAppend(&matrix, absl::StripTrailingAsciiWhitespace(row), "\n");
  }
  EXPECT_TRUE(all_right) << "status per method and role (! = wrong):\n"
                         << matrix << details;
}

TEST_F(MtlsTest, TheCertificateIdentityIsRecorded) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  // A police unit lists the account.
  grpc::Status s =
      Upload(As("police"), MakeReport("R1", "C03", v1::EXTORTION_DEEPFAKE,
                                      v1::CONFIRMED, {Account()}));
  ASSERT_TRUE(s.ok()) << Describe(s);

  // A bank core system, with its own certificate, screens a transfer to it.
  v1::ScreenTransferResponse screened;
  s = Screen(As("vcb-core"), "T1", &screened);
  ASSERT_TRUE(s.ok()) << Describe(s);
  ASSERT_FALSE(screened.hit_id().empty());
  EXPECT_NE(screened.decision(), v1::DECISION_ALLOW);

  // An analyst records a verdict.
  {
    v1::HistoryService::Stub analyst(As("analyst"));
    grpc::ClientContext context;
    SetDeadline(context);
    v1::RecordOutcomeRequest request;
    request.set_hit_id(screened.hit_id());
    request.set_outcome(v1::CONFIRMED_FRAUD);
    v1::Hit hit;
    s = analyst.RecordOutcome(&context, request, &hit);
    ASSERT_TRUE(s.ok()) << Describe(s);
  }
  // The police delist it.
  {
    v1::ReportService::Stub police(As("police"));
    grpc::ClientContext context;
    SetDeadline(context);
    v1::DelistEntityRequest request;
    *request.mutable_identifier() = Account();
    request.set_reason("court order");
    request.set_reference("CV-7");
    v1::Entity entity;
    s = police.DelistEntity(&context, request, &entity);
    ASSERT_TRUE(s.ok()) << Describe(s);
  }

  // Read back as admin.
  v1::Hit hit;
  {
    grpc::ClientContext context;
    SetDeadline(context);
    v1::GetHitRequest request;
    request.set_hit_id(screened.hit_id());
    s = server_->history().GetHit(&context, request, &hit);
    ASSERT_TRUE(s.ok()) << Describe(s);
  }
  EXPECT_EQ(hit.caller(), "bank/vcb-core") << hit.ShortDebugString();
  EXPECT_EQ(hit.outcome_by(), "analyst/dev-analyst") << hit.ShortDebugString();
  ASSERT_EQ(hit.outcome_history_size(), 1) << hit.ShortDebugString();
  EXPECT_EQ(hit.outcome_history(0).by(), "analyst/dev-analyst")
      << hit.ShortDebugString();

  v1::Entity entity;
  {
    grpc::ClientContext context;
    SetDeadline(context);
    v1::GetEntityRequest request;
    *request.mutable_identifier() = Account();
    s = server_->reports().GetEntity(&context, request, &entity);
    ASSERT_TRUE(s.ok()) << Describe(s);
  }
  ASSERT_EQ(entity.reports_size(), 1) << entity.ShortDebugString();
  EXPECT_EQ(entity.reports(0).uploaded_by(), "police/dev-police")
      << entity.ShortDebugString();
  std::vector<std::pair<std::string, std::string>> events;
  for (const v1::EntityEvent& e : entity.history()) {
    events.emplace_back(e.action(), e.actor());
  }
  EXPECT_THAT(events, ::testing::ElementsAre(
                          std::make_pair("REPORTED", "police/dev-police"),
                          std::make_pair("DELISTED", "police/dev-police")))
      << entity.ShortDebugString();

  auto audit = server_->store().blocklist().ReadAudit(1, 100);
  ASSERT_TRUE(audit.ok()) << audit.status();
  std::vector<std::pair<std::string, std::string>> audited;
  for (const v1::AuditRecord& r : *audit) {
    audited.emplace_back(r.action(), r.actor());
  }
  EXPECT_THAT(audited,
              ::testing::ElementsAre(
                  std::make_pair("REPORT_ACCEPTED", "police/dev-police"),
                  std::make_pair("DELISTED", "police/dev-police")));
}

TEST_F(MtlsTest, HandshakeRefusesClientsWithoutAValidCertificate) {
  TempDir foreign;
  ASSERT_TRUE(DevCerts({foreign.path()}));
  TempDir odd;
  // A bank identity, from the right CA, expired since 2020.
  ASSERT_TRUE(IssueWithOpenssl(certs(), odd.path(), "expired",
                               {.san = "URI:spiffe://fraudgate/bank/expired",
                                .start = "20200101000000Z",
                                .end = "20200102000000Z"}));
  ASSERT_NO_FATAL_FAILURE(StartServer());

  struct Case {
    std::string what;
    std::shared_ptr<grpc::ChannelCredentials> credentials;
  };
  const std::vector<Case> cases = {
      {"no client certificate", Credentials(certs(), "")},
      // Trusts the right server, presents a bank certificate of another CA.
      {"another CA's bank certificate",
       Credentials(foreign.path(), "bank", certs())},
      {"an expired bank certificate",
       Credentials(odd.path(), "expired", certs())},
  };
  for (const Case& c : cases) {
    grpc::Status s = Screen(Channel(server_->port(), c.credentials), "T1");
    // A handler would answer UNAUTHENTICATED or, for a bank, screen.
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE)
        << c.what << ": " << Describe(s);
  }
  // Nothing was screened; and a good bank certificate works.
  EXPECT_EQ(HitCount(), 0);
  grpc::Status s = Screen(As("bank"), "T2");
  EXPECT_TRUE(s.ok()) << Describe(s);
  EXPECT_EQ(HitCount(), 1);
}

// GET `path` on the HTTPS port `port` of localhost, trusting `ca_dir`/ca.pem
// and presenting `cert_dir`/`role`.pem (no certificate when `role` is
// empty). Status 0 when the TLS handshake or the request failed.
struct HttpsAnswer {
  int status = 0;
  std::string body;
};
HttpsAnswer HttpsGet(int port, const std::string& path,
                     const std::string& ca_dir, const std::string& cert_dir,
                     const std::string& role) {
  std::unique_ptr<httplib::SSLClient> client =
      role.empty() ? std::make_unique<httplib::SSLClient>("localhost", port)
                   : std::make_unique<httplib::SSLClient>(
                         "localhost", port, cert_dir + "/" + role + ".pem",
                         cert_dir + "/" + role + "-key.pem");
  client->set_ca_cert_path((ca_dir + "/ca.pem").c_str());
  client->enable_server_certificate_verification(true);
  client->set_connection_timeout(5);
  client->set_read_timeout(5);
  httplib::Result result = client->Get(path.c_str());
  if (!result) return {};
  return {result->status, result->body};
}

// Both ports refuse `name` of `dir` at the handshake (so no service, nor
// reflection, sees it); the client trusts `ca_dir`/ca.pem.
void ExpectRefusedAtHandshake(int grpc_port, int https_port,
                              const std::string& ca_dir, const std::string& dir,
                              const std::string& name,
                              const std::string& what) {
  grpc::Status s =
      Screen(Channel(grpc_port, Credentials(dir, name, ca_dir)), "T-" + name);
  // A handler would answer UNAUTHENTICATED or PERMISSION_DENIED, or screen.
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE)
      << what << ": " << Describe(s);
  const HttpsAnswer a = HttpsGet(https_port, "/metrics", ca_dir, dir, name);
  EXPECT_EQ(a.status, 0) << what << ": HTTPS answered " << a.status << " "
                         << a.body;
}

TEST_F(MtlsTest, CertificateWithoutExactlyOneFraudgateIdentityIsRefused) {
  // All signed by the right CA: the certificate chain itself is good.
  const std::vector<std::pair<std::string, std::string>> sans = {
      {"other-trust-domain", "URI:spiffe://other/bank/x"},
      {"unknown-role", "URI:spiffe://fraudgate/root/x"},
      {"bad-name", "URI:spiffe://fraudgate/bank/X!"},
      {"no-name", "URI:spiffe://fraudgate/bank/"},
      {"two-ids",
       "URI:spiffe://fraudgate/bank/x,URI:spiffe://fraudgate/admin/y"},
      // Admitted as admin on the HTTPS port before: it counted only
      // spiffe:// URIs.
      {"https-and-admin",
       "URI:https://bank.example/id,URI:spiffe://fraudgate/admin/y"},
      {"node", "URI:spiffe://fraudgate/node/n1"},
      {"dns-only", "DNS:bank.example"},
      {"no-san", ""},
  };
  TempDir odd;
  for (const auto& [name, san] : sans) {
    ASSERT_TRUE(IssueWithOpenssl(certs(), odd.path(), name, {.san = san}))
        << name;
  }
  service::ServerOptions options;
  options.http_listen = "127.0.0.1:0";
  ASSERT_NO_FATAL_FAILURE(StartServer("", options));
  for (const auto& [name, san] : sans) {
    ExpectRefusedAtHandshake(server_->port(), server_->http_port(), certs(),
                             odd.path(), name, name + " (" + san + ")");
  }
  EXPECT_EQ(HitCount(), 0);
}

TEST_F(MtlsTest, ACertificateAuthorityLeafCannotEscalate) {
  // A bank certificate misissued by the right CA with CA:TRUE and
  // keyCertSign, and an "admin" certificate the bank signed with it.
  TempDir odd;
  ASSERT_TRUE(IssueWithOpenssl(
      certs(), odd.path(), "ca-bank",
      {.san = "URI:spiffe://fraudgate/bank/ca-bank", .ca = true}));
  ASSERT_TRUE(IssueWithOpenssl(certs(), odd.path(), "forged-admin",
                               {.san = "URI:spiffe://fraudgate/admin/forged",
                                .issuer = odd.File("ca-bank")}));
  // The client sends the bank certificate along, so that the chain reaches
  // the CA: ca-bank -> CA.
  WriteFile(odd.File("forged-admin.pem"),
            ReadFile(odd.File("forged-admin.pem")) +
                ReadFile(odd.File("ca-bank.pem")));
  service::ServerOptions options;
  options.http_listen = "127.0.0.1:0";
  ASSERT_NO_FATAL_FAILURE(StartServer("", options));
  ExpectRefusedAtHandshake(server_->port(), server_->http_port(), certs(),
                           odd.path(), "forged-admin",
                           "admin signed by a CA:TRUE leaf");
  ExpectRefusedAtHandshake(server_->port(), server_->http_port(), certs(),
                           odd.path(), "ca-bank", "a CA:TRUE leaf itself");
  // Nothing the forged admin could do happened.
  EXPECT_EQ(HitCount(), 0);
  // A good certificate still works on both ports.
  EXPECT_TRUE(Screen(As("bank"), "good").ok());
  EXPECT_EQ(
      HttpsGet(server_->http_port(), "/api/stats", certs(), certs(), "analyst")
          .status,
      200);
}

TEST_F(MtlsTest, HttpsPortTakesTheSameCertificatesAndRoles) {
  TempDir foreign;
  ASSERT_TRUE(DevCerts({foreign.path()}));
  service::ServerOptions options;
  options.http_listen = "127.0.0.1:0";
  ASSERT_NO_FATAL_FAILURE(StartServer("", options));
  const int port = server_->http_port();
  ASSERT_GT(port, 0);

  HttpsAnswer a = HttpsGet(port, "/api/stats", certs(), certs(), "analyst");
  EXPECT_EQ(a.status, 200) << a.body;
  EXPECT_THAT(a.body, HasSubstr("by_decision"));
  a = HttpsGet(port, "/api/stats", certs(), certs(), "admin");
  EXPECT_EQ(a.status, 200) << a.body;
  a = HttpsGet(port, "/", certs(), certs(), "analyst");
  EXPECT_EQ(a.status, 200);

  a = HttpsGet(port, "/api/stats", certs(), certs(), "bank");
  EXPECT_EQ(a.status, 403) << a.body;
  EXPECT_THAT(a.body, HasSubstr("PERMISSION_DENIED"));
  a = HttpsGet(port, "/api/hits", certs(), certs(), "police");
  EXPECT_EQ(a.status, 403) << a.body;

  // /metrics answers any role, but only admin and monitor see the
  // per-caller series, which name certificate identities.
  ASSERT_TRUE(Screen(As("bank"), "metrics-1").ok());
  a = HttpsGet(port, "/metrics", certs(), certs(), "bank");
  EXPECT_EQ(a.status, 200) << a.body;
  EXPECT_THAT(a.body, HasSubstr("fraudgate_in_flight_calls"));
  EXPECT_THAT(a.body, Not(HasSubstr("caller=")));
  for (const char* role : {"admin", "monitor"}) {
    a = HttpsGet(port, "/metrics", certs(), certs(), role);
    EXPECT_EQ(a.status, 200) << a.body;
    EXPECT_THAT(a.body, HasSubstr("caller=\"bank/dev-bank\"")) << role;
  }
  // The monitor may call nothing else.
  EXPECT_EQ(HttpsGet(port, "/api/stats", certs(), certs(), "monitor").status,
            403);

  // Refused at the handshake: no certificate, or one of another CA.
  EXPECT_EQ(HttpsGet(port, "/metrics", certs(), certs(), "").status, 0);
  EXPECT_EQ(
      HttpsGet(port, "/metrics", certs(), foreign.path(), "analyst").status, 0);
}

// A TCP connection from `source` (an address of the loopback network) to
// 127.0.0.1:`port`; -1 when it cannot be made.
int ConnectFrom(const char* source, int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in from{};
  from.sin_family = AF_INET;
  inet_pton(AF_INET, source, &from.sin_addr);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof(from)) ||
      connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof(to))) {
    if (fd >= 0) close(fd);
    return -1;
  }
  return fd;
}

// True when the peer closes `fd` (a read gives end of file or an error)
// within `wait`; what it may have sent first is read and dropped.
bool ClosedWithin(int fd, absl::Duration wait) {
  const absl::Time until = absl::Now() + wait;
  while (absl::Now() < until) {
    pollfd p{fd, POLLIN, 0};
    const int ready = poll(&p, 1,
                           static_cast<int>(absl::ToInt64Milliseconds(std::max(
                               absl::ZeroDuration(), until - absl::Now()))));
    if (ready <= 0) continue;
    char buffer[512];
    if (recv(fd, buffer, sizeof(buffer), 0) <= 0) return true;
  }
  return false;
}

TEST_F(MtlsTest, SlowConnectionsCannotTakeTheHttpsPortDown) {
  service::ServerOptions options;
  options.http_listen = "127.0.0.1:0";
  options.http_limits.request_timeout = absl::Seconds(2);
  options.http_limits.max_connections_per_client = 8;
  ASSERT_NO_FATAL_FAILURE(StartServer("", options));
  const int port = server_->http_port();

  // 40 connections without a certificate from 127.0.0.2, each sending a TLS
  // record header and then one byte every 300 ms, never a whole ClientHello.
  constexpr int kSlow = 40;
  std::vector<int> slow;
  for (int i = 0; i < kSlow; ++i) {
    const int fd = ConnectFrom("127.0.0.2", port);
    ASSERT_GE(fd, 0) << i;
    slow.push_back(fd);
  }
  std::atomic<bool> dribbling{true};
  std::thread dribbler([&] {
    const char hello[] = "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03";
    for (size_t n = 0; dribbling && n < sizeof(hello) - 1; ++n) {
      for (int fd : slow) send(fd, hello + n, 1, MSG_NOSIGNAL);
      absl::SleepFor(absl::Milliseconds(300));
    }
  });

  // Past 8 from one address, the rest are closed at once.
  int refused = 0;
  for (int fd : slow) {
    refused += ClosedWithin(fd, absl::Milliseconds(20)) ? 1 : 0;
  }
  EXPECT_EQ(refused, kSlow - 8);

  // Meanwhile every endpoint answers another client at once.
  const absl::Time start = absl::Now();
  for (int round = 0; round < 4; ++round) {
    for (const auto& [path, role] :
         {std::pair{"/healthz", "bank"}, std::pair{"/readyz", "bank"},
          std::pair{"/metrics", "admin"}, std::pair{"/api/stats", "analyst"},
          std::pair{"/", "analyst"}}) {
      const absl::Time asked = absl::Now();
      const HttpsAnswer a = HttpsGet(port, path, certs(), certs(), role);
      EXPECT_EQ(a.status, 200) << path << " in round " << round;
      EXPECT_LT(absl::Now() - asked, absl::Seconds(1)) << path;
    }
    absl::SleepFor(absl::Milliseconds(300));
  }

  // The 8 admitted were closed at the request timeout, although they kept
  // sending.
  for (int fd : slow) {
    EXPECT_TRUE(ClosedWithin(fd, start + absl::Seconds(5) - absl::Now()));
  }
  dribbling = false;
  dribbler.join();
  for (int fd : slow) close(fd);
}

TEST_F(MtlsTest, CertificatesRotateWithoutRestart) {
  TempDir root;
  const std::string a = root.File("a"), b = root.File("b");
  const std::string tls = root.File("tls");
  ASSERT_TRUE(DevCerts({a}));
  ASSERT_TRUE(DevCerts({b}));
  ASSERT_EQ(symlink(a.c_str(), tls.c_str()), 0);

  service::ServerOptions options;
  options.tls_refresh_seconds = 1;
  options.http_listen = "127.0.0.1:0";
  ASSERT_NO_FATAL_FAILURE(StartServer(tls, options));
  // The HTTPS port, as an analyst of CA `dir` who trusts only that CA.
  auto console = [&](const std::string& dir) {
    return HttpsGet(server_->http_port(), "/api/stats", dir, dir, "analyst")
        .status;
  };
  EXPECT_EQ(console(a), 200);
  EXPECT_EQ(console(b), 0);
  auto query = [&](const std::string& dir) {
    return Unary(Channel(server_->port(), Credentials(dir, "admin")),
                 &v1::HistoryService::Stub::QueryHits, v1::QueryHitsRequest());
  };
  grpc::Status s = query(a);
  ASSERT_TRUE(s.ok()) << Describe(s);
  s = query(b);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << Describe(s);

  // Swap the symlink atomically: a new link renamed over the old one.
  const std::string next = root.File("tls.next");
  ASSERT_EQ(symlink(b.c_str(), next.c_str()), 0);
  ASSERT_EQ(std::rename(next.c_str(), tls.c_str()), 0);

  const absl::Time start = absl::Now();
  while (!(s = query(b)).ok() && absl::Now() - start < absl::Seconds(10)) {
    absl::SleepFor(absl::Milliseconds(200));
  }
  ASSERT_TRUE(s.ok()) << "CA-B clients still refused " << absl::Now() - start
                      << " after the swap: " << Describe(s);
  s = query(a);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << Describe(s);
  // The HTTPS port re-reads the files at a handshake, once a second at most.
  int status = 0;
  while ((status = console(b)) != 200 &&
         absl::Now() - start < absl::Seconds(10)) {
    absl::SleepFor(absl::Milliseconds(200));
  }
  EXPECT_EQ(status, 200) << "HTTPS still on the old files "
                         << absl::Now() - start << " after the swap";
  EXPECT_EQ(console(a), 0);
  // The server kept its store and state: no restart.
  s = Screen(Channel(server_->port(), Credentials(b, "bank")), "T1");
  EXPECT_TRUE(s.ok()) << Describe(s);
}

TEST_F(MtlsTest, ValidateServerOptionsNeedsTlsFiles) {
  auto expect_invalid = [](const service::ServerOptions& options,
                           const std::string& mention) {
    absl::Status s = service::ValidateServerOptions(options);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument)
        << "tls_dir=" << options.tls_dir << ": " << s;
    EXPECT_THAT(std::string(s.message()), HasSubstr(mention))
        << "tls_dir=" << options.tls_dir;
  };
  service::ServerOptions options;
  options.listen = "127.0.0.1:0";
  ASSERT_FALSE(options.insecure);  // mutual TLS is the default

  options.tls_dir = "";
  expect_invalid(options, "tls-dir");
  TempDir empty;
  options.tls_dir = empty.path();
  expect_invalid(options, "tls-dir");
  options.tls_dir = empty.File("missing");
  expect_invalid(options, "tls-dir");
  // Each of the three files is needed.
  for (const char* missing : {"ca.pem", "server.pem", "server-key.pem"}) {
    TempDir partial;
    for (const char* name : {"ca.pem", "server.pem", "server-key.pem"}) {
      if (std::string(name) != missing) {
        std::filesystem::copy_file(certs() + "/" + name, partial.File(name));
      }
    }
    options.tls_dir = partial.path();
    expect_invalid(options, "tls-dir");
    expect_invalid(options, missing);
  }

  // Files that are there but unusable stop the start, not every handshake.
  TempDir other_ca;
  ASSERT_TRUE(DevCerts({other_ca.path()}));
  for (const auto& [name, replacement, mention] :
       {std::tuple<std::string, std::string, std::string>{
            "server.pem", "", "holds no PEM certificate"},
        {"ca.pem", "", "holds no PEM certificate"},
        {"server-key.pem", "", "holds no PEM private key"},
        {"server-key.pem", other_ca.File("server-key.pem"),
         "is not the key of"}}) {
    TempDir bad;
    for (const char* file : {"ca.pem", "server.pem", "server-key.pem"}) {
      std::filesystem::copy_file(certs() + "/" + file, bad.File(file));
    }
    std::filesystem::remove(bad.File(name));
    if (replacement.empty()) {
      std::ofstream(bad.File(name)) << "not a certificate\n";
    } else {
      std::filesystem::copy_file(replacement, bad.File(name));
    }
    options.tls_dir = bad.path();
    expect_invalid(options, mention);
  }

  options.tls_dir = certs();
  EXPECT_TRUE(service::ValidateServerOptions(options).ok());
  options.tls_refresh_seconds = 0;
  expect_invalid(options, "tls_refresh_seconds");
  options.tls_refresh_seconds = 60;

  // The HTTP port: with mutual TLS it is served over TLS too; plaintext
  // (--insecure) only on loopback.
  options.http_listen = "127.0.0.1:0";
  EXPECT_TRUE(service::ValidateServerOptions(options).ok());
  options.insecure = true;
  options.http_listen = "0.0.0.0:8080";
  expect_invalid(options, "http");
  // Loopback means a literal 127.0.0.0/8 address, localhost or [::1]: a
  // name that merely starts with "127." may resolve anywhere.
  options.http_listen = "";
  for (const char* host :
       {"127.0.0.1:1", "127.8.9.10:1", "localhost:1", "[::1]:1"}) {
    EXPECT_TRUE(service::IsLoopbackAddress(host)) << host;
  }
  for (const char* host :
       {"127.evil.example:1", "0.0.0.0:1", "10.0.0.1:1", "127.0.0:1", ":1"}) {
    EXPECT_FALSE(service::IsLoopbackAddress(host)) << host;
  }
  options.listen = "127.evil.example:0";
  expect_invalid(options, "loopback");
  options.listen = "127.0.0.1:0";
  options.insecure = false;
  options.http_listen = "";

  // Server::Start makes the same checks before it listens.
  TempDir data;
  store::StoreOptions store_options;
  store_options.path = data.path();
  auto store = store::Store::Open(store_options);
  ASSERT_TRUE(store.ok()) << store.status();
  options.tls_dir = empty.path();
  auto server = service::Server::Start(store->get(), options);
  EXPECT_EQ(server.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(server.status().message()), HasSubstr("tls-dir"));
}

}  // namespace
}  // namespace fraudgate

namespace fraudgate {
namespace {

// Anti-probing: per-caller token buckets on screening and GetEntity, with a
// test clock that moves only when told to.
TEST_F(MtlsTest, EachCallerHasItsOwnRateOnScreeningAndGetEntity) {
  auto now = std::make_shared<std::atomic<int64_t>>(1'800'000'000);
  service::ServerOptions options;
  options.clock = [now] { return absl::FromUnixSeconds(now->load()); };
  options.limits.rates.screening_rate = 5;
  options.limits.rates.screening_burst = 5;
  options.limits.rates.get_entity_rate = 1;
  options.limits.rates.get_entity_burst = 2;
  ASSERT_NO_FATAL_FAILURE(StartServer("", options));

  auto screen = [&](const std::string& cert, const std::string& id) {
    auto stub = v1::ScreeningService::NewStub(As(cert));
    grpc::ClientContext context;
    SetDeadline(context);
    v1::ScreenTransferResponse response;
    return stub->ScreenTransfer(&context, Transfer(id), &response);
  };
  for (int i = 0; i < 5; ++i) {
    grpc::Status s = screen("bank", absl::StrCat("burst-", i));
    EXPECT_TRUE(s.ok()) << Describe(s);
  }
  grpc::Status over = screen("bank", "over");
  EXPECT_EQ(over.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << Describe(over);
  EXPECT_THAT(over.error_message(), HasSubstr("bank/dev-bank"));
  // Another bank's certificate has its own bucket.
  EXPECT_TRUE(screen("vcb-core", "other-bank").ok());
  // A batch costs one token per transfer.
  {
    auto stub = v1::ScreeningService::NewStub(As("vcb-core"));
    v1::ScreenTransfersRequest batch;
    for (int i = 0; i < 5; ++i) {
      *batch.add_transfers() = Transfer(absl::StrCat("batch-", i));
    }
    grpc::ClientContext context;
    SetDeadline(context);
    v1::ScreenTransfersResponse response;
    grpc::Status s = stub->ScreenTransfers(&context, batch, &response);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
        << Describe(s);  // 4 tokens left, 5 asked
  }
  // One second refills five.
  now->fetch_add(1);
  EXPECT_TRUE(screen("bank", "after-refill").ok());

  auto get_entity = [&](const std::string& cert) {
    auto stub = v1::ReportService::NewStub(As(cert));
    v1::GetEntityRequest request;
    request.mutable_identifier()->set_kind(v1::PHONE);
    request.mutable_identifier()->set_value("0912345678");
    grpc::ClientContext context;
    SetDeadline(context);
    v1::Entity entity;
    return stub->GetEntity(&context, request, &entity);
  };
  // Admitted calls get an answer (the phone is not listed: NOT_FOUND).
  EXPECT_EQ(get_entity("analyst").error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(get_entity("analyst").error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(get_entity("analyst").error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(get_entity("police").error_code(), grpc::StatusCode::NOT_FOUND);
}

// The console's API passes the same gate as the history RPCs: one bucket
// per caller for QueryHits and /api/hits alike (429 on HTTPS), another
// caller unaffected.
TEST_F(MtlsTest, HistoryQueriesShareOneRateOverGrpcAndHttps) {
  auto now = std::make_shared<std::atomic<int64_t>>(1'800'000'000);
  service::ServerOptions options;
  options.clock = [now] { return absl::FromUnixSeconds(now->load()); };
  options.limits.rates.query_rate = 1;
  options.limits.rates.query_burst = 3;
  options.http_listen = "127.0.0.1:0";
  ASSERT_NO_FATAL_FAILURE(StartServer("", options));
  const int port = server_->http_port();
  auto query = [&](const std::string& cert) {
    auto stub = v1::HistoryService::NewStub(As(cert));
    grpc::ClientContext context;
    SetDeadline(context);
    v1::QueryHitsResponse response;
    return stub->QueryHits(&context, v1::QueryHitsRequest(), &response);
  };
  EXPECT_TRUE(query("analyst").ok());
  EXPECT_EQ(HttpsGet(port, "/api/hits", certs(), certs(), "analyst").status,
            200);
  EXPECT_EQ(HttpsGet(port, "/api/stats", certs(), certs(), "analyst").status,
            200);
  // The burst of 3 is spent, on either port.
  const HttpsAnswer over =
      HttpsGet(port, "/api/hits", certs(), certs(), "analyst");
  EXPECT_EQ(over.status, 429) << over.body;
  EXPECT_THAT(over.body, HasSubstr("analyst/dev-analyst"));
  EXPECT_EQ(query("analyst").error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
  // The admin has a bucket of their own; a second refills one.
  EXPECT_EQ(HttpsGet(port, "/api/hits", certs(), certs(), "admin").status, 200);
  now->fetch_add(1);
  EXPECT_EQ(HttpsGet(port, "/api/hits", certs(), certs(), "analyst").status,
            200);
}

}  // namespace
}  // namespace fraudgate
