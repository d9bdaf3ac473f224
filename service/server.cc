#include "service/server.h"

#include <chrono>

#include "core/text.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "service/history.h"
#include "service/history_service.h"
#include "service/http_server.h"
#include "service/report_service.h"
#include "service/screener.h"
#include "service/screening_service.h"

namespace fraudgate::service {

bool IsLoopbackAddress(const std::string& host_port) {
  const size_t colon = host_port.rfind(':');
  const std::string host =
      colon == std::string::npos ? host_port : host_port.substr(0, colon);
  return host == "localhost" || host == "[::1]" || host.starts_with("127.");
}

Server::Server() = default;
Server::~Server() {
  if (server_) {
    server_->Shutdown(std::chrono::system_clock::now());
    server_->Wait();
  }
}

absl::Status ValidateServerOptions(const ServerOptions& options) {
  if (!options.insecure) {
    return absl::InvalidArgumentError(
        "TLS is not available yet: pass --insecure (loopback only)");
  }
  if (!IsLoopbackAddress(options.listen)) {
    return absl::InvalidArgumentError(core::StrCat(
        "listen: --insecure serves only on a loopback address (got ",
        options.listen, ")"));
  }
  if (!options.http_listen.empty() && !IsLoopbackAddress(options.http_listen)) {
    return absl::InvalidArgumentError(
        core::StrCat("http: --insecure serves only on a loopback address (got ",
                     options.http_listen, ")"));
  }
  if (options.reports.max_batch_reports < 1) {
    return absl::InvalidArgumentError(
        "reports.max_batch_reports: must be >= 1");
  }
  for (const auto& [category, lifetime] : options.reports.default_lifetime) {
    if (lifetime <= absl::ZeroDuration()) {
      return absl::InvalidArgumentError(
          core::StrCat("reports: the default lifetime of ",
                       v1::Category_Name(category), " must be positive"));
    }
  }
  if (auto s = ValidateRetentionOptions(options.retention); !s.ok()) return s;
  return core::ValidateScoringOptions(options.scoring);
}

absl::StatusOr<std::unique_ptr<Server>> Server::Start(store::Store* store,
                                                      ServerOptions options) {
  if (auto s = ValidateServerOptions(options); !s.ok()) return s;
  std::unique_ptr<Server> server(new Server());
  server->screener_ = std::make_unique<Screener>(
      store, ScreenerOptions{options.scoring, options.clock});
  server->screening_ =
      std::make_unique<ScreeningService>(server->screener_.get());
  server->reports_ =
      std::make_unique<ReportService>(store, options.reports, options.clock);
  server->history_ = std::make_unique<History>(store, options.clock);
  server->history_service_ =
      std::make_unique<HistoryService>(server->history_.get());
  server->retention_ = std::make_unique<RetentionJob>(
      &store->hits(), options.retention, options.clock);

  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen, grpc::InsecureServerCredentials(),
                           &server->port_);
  builder.RegisterService(server->screening_.get());
  builder.RegisterService(server->reports_.get());
  builder.RegisterService(server->history_service_.get());
  server->server_ = builder.BuildAndStart();
  if (!server->server_ || server->port_ == 0) {
    return absl::UnavailableError(
        core::StrCat("cannot listen on ", options.listen));
  }
  if (!options.http_listen.empty()) {
    auto http = HttpServer::Start(server->history_.get(), options.http_listen);
    if (!http.ok()) return http.status();
    server->http_ = *std::move(http);
  }
  server->retention_->Start();
  return server;
}

void Server::Shutdown(absl::Duration grace) {
  http_.reset();
  server_->Shutdown(
      std::chrono::system_clock::now() +
      std::chrono::microseconds(absl::ToInt64Microseconds(grace)));
}

void Server::Wait() { server_->Wait(); }

int Server::http_port() const { return http_ ? http_->port() : 0; }

}  // namespace fraudgate::service
