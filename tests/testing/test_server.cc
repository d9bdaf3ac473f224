#include "tests/testing/test_server.h"

#include <utility>

#include "absl/time/civil_time.h"
#include "core/status_macros.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "proto/proto_time.h"

namespace fraudgate::testing {

absl::StatusOr<std::unique_ptr<TestServer>> TestServer::Start(
    const std::string& data_dir, service::ServerOptions options,
    rocksdb::Env* env) {
  options.insecure = true;
  return StartWith(data_dir, std::move(options), env, "127.0.0.1",
                   grpc::InsecureChannelCredentials());
}

absl::StatusOr<std::unique_ptr<TestServer>> TestServer::StartTls(
    const std::string& data_dir, const std::string& tls_dir,
    std::shared_ptr<grpc::ChannelCredentials> credentials,
    service::ServerOptions options) {
  options.insecure = false;
  options.tls_dir = tls_dir;
  return StartWith(data_dir, std::move(options), nullptr, "localhost",
                   std::move(credentials));
}

absl::StatusOr<std::unique_ptr<TestServer>> TestServer::StartWith(
    const std::string& data_dir, service::ServerOptions options,
    rocksdb::Env* env, const std::string& host,
    std::shared_ptr<grpc::ChannelCredentials> credentials) {
  std::unique_ptr<TestServer> t(new TestServer());
  store::StoreOptions store_options;
  store_options.path = data_dir;
  store_options.env = env;
  ASSIGN_OR_RETURN(t->store_, store::Store::Open(store_options));
  options.listen = "127.0.0.1:0";
  ASSIGN_OR_RETURN(t->server_,
                   service::Server::Start(t->store_.get(), options));
  t->channel_ = grpc::CreateChannel(
      host + ":" + std::to_string(t->server_->port()), std::move(credentials));
  t->screening_ = v1::ScreeningService::NewStub(t->channel_);
  t->reports_ = v1::ReportService::NewStub(t->channel_);
  t->history_ = v1::HistoryService::NewStub(t->channel_);
  return t;
}

TestServer::~TestServer() {
  server_.reset();  // stops serving before the store closes
  store_.reset();
}

v1::Identifier MakeIdentifier(v1::IdentifierKind kind,
                              const std::string& issuer,
                              const std::string& value) {
  v1::Identifier id;
  id.set_kind(kind);
  id.set_issuer(issuer);
  id.set_value(value);
  return id;
}

v1::Report MakeReport(const std::string& report_id, const std::string& agency,
                      v1::Category category, v1::Confidence confidence,
                      std::vector<v1::Identifier> identifiers) {
  v1::Report r;
  r.set_report_id(report_id);
  r.set_agency(agency);
  r.set_category(category);
  r.set_confidence(confidence);
  *r.mutable_reported_at() = ToProtoTime(absl::FromCivil(
      absl::CivilSecond(2026, 10, 1, 0, 0, 0), absl::FixedTimeZone(7 * 3600)));
  for (auto& id : identifiers) *r.add_identifiers() = std::move(id);
  return r;
}

v1::ScreenTransferRequest MakeTransfer(const std::string& transfer_id) {
  v1::ScreenTransferRequest r;
  r.set_transfer_id(transfer_id);
  r.set_amount(2'000'000);
  r.mutable_beneficiary()->set_bank("BIDV");
  r.mutable_beneficiary()->set_account("1234567890");
  return r;
}

absl::StatusOr<v1::UploadSummary> Upload(v1::ReportService::Stub& stub,
                                         const std::vector<v1::Report>& reports,
                                         absl::Duration deadline) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + deadline));
  v1::UploadSummary summary;
  auto writer = stub.UploadReports(&context, &summary);
  for (const v1::Report& r : reports) {
    if (!writer->Write(r)) break;
  }
  writer->WritesDone();
  grpc::Status s = writer->Finish();
  if (!s.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(s.error_code()),
                        s.error_message());
  }
  return summary;
}

}  // namespace fraudgate::testing
