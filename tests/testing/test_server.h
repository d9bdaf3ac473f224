// A real fraudgate server for tests: a real RocksDB store in the given
// directory, the real services on 127.0.0.1:0 (insecure, or mutual TLS with
// StartTls), and real generated stubs over a real channel.
#ifndef FRAUDGATE_TESTS_TESTING_TEST_SERVER_H_
#define FRAUDGATE_TESTS_TESTING_TEST_SERVER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "fraudgate/v1/fraudgate.grpc.pb.h"
#include "grpcpp/security/credentials.h"
#include "service/server.h"
#include "store/store.h"

namespace fraudgate::testing {

class TestServer {
 public:
  // Opens the store at `data_dir` (through `env` when not null) and starts a
  // server on port 0. `options.listen` and `options.insecure` are overridden.
  static absl::StatusOr<std::unique_ptr<TestServer>> Start(
      const std::string& data_dir, service::ServerOptions options = {},
      rocksdb::Env* env = nullptr);
  // Like Start, but serves mutual TLS from `tls_dir` (ca.pem, server.pem,
  // server-key.pem, as scripts/dev-certs.sh makes them), and the stubs'
  // channel connects to "localhost:PORT" (the name the server certificate
  // carries) with `credentials`, e.g. grpc::SslCredentials with a client
  // certificate. `options.listen`, `options.insecure` and `options.tls_dir`
  // are overridden.
  static absl::StatusOr<std::unique_ptr<TestServer>> StartTls(
      const std::string& data_dir, const std::string& tls_dir,
      std::shared_ptr<grpc::ChannelCredentials> credentials,
      service::ServerOptions options = {});
  ~TestServer();

  store::Store& store() { return *store_; }
  int port() const { return server_->port(); }
  // The HTTP port when `options.http_listen` asked for one (e.g.
  // "127.0.0.1:0"); 0 otherwise.
  int http_port() const { return server_->http_port(); }
  // The plaintext health port when `options.health_listen` asked for one;
  // 0 otherwise.
  int health_port() const { return server_->health_port(); }
  service::Server& server() { return *server_; }
  std::shared_ptr<grpc::Channel> channel() const { return channel_; }
  v1::ScreeningService::Stub& screening() { return *screening_; }
  v1::ReportService::Stub& reports() { return *reports_; }
  v1::HistoryService::Stub& history() { return *history_; }

 private:
  TestServer() = default;
  static absl::StatusOr<std::unique_ptr<TestServer>> StartWith(
      const std::string& data_dir, service::ServerOptions options,
      rocksdb::Env* env, const std::string& host,
      std::shared_ptr<grpc::ChannelCredentials> credentials);
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<service::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::ScreeningService::Stub> screening_;
  std::unique_ptr<v1::ReportService::Stub> reports_;
  std::unique_ptr<v1::HistoryService::Stub> history_;
};

v1::Identifier MakeIdentifier(v1::IdentifierKind kind,
                              const std::string& issuer,
                              const std::string& value);

// A valid report with the given identifiers, reported 2026-10-01 +07:00.
v1::Report MakeReport(const std::string& report_id, const std::string& agency,
                      v1::Category category, v1::Confidence confidence,
                      std::vector<v1::Identifier> identifiers);

// A transfer `transfer_id` of 2,000,000 VND to BIDV account 1234567890.
v1::ScreenTransferRequest MakeTransfer(const std::string& transfer_id);

// Uploads `reports` in one UploadReports stream, which must end within
// `deadline` (a stream the server left unfinished is DEADLINE_EXCEEDED).
absl::StatusOr<v1::UploadSummary> Upload(
    v1::ReportService::Stub& stub, const std::vector<v1::Report>& reports,
    absl::Duration deadline = absl::Seconds(30));

}  // namespace fraudgate::testing

#endif  // FRAUDGATE_TESTS_TESTING_TEST_SERVER_H_
