#include "service/server.h"

#include <arpa/inet.h>

#include <chrono>
#include <fstream>

#include "absl/strings/numbers.h"
#include "core/status_macros.h"
#include "core/text.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/impl/server_builder_option.h"
#include "grpcpp/impl/server_builder_plugin.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/security/tls_certificate_provider.h"
#include "grpcpp/security/tls_certificate_verifier.h"
#include "grpcpp/security/tls_credentials_options.h"
#include "grpcpp/server_builder.h"
#include "service/client_certificate.h"
#include "service/deadline_cap.h"
#include "service/grpc_status.h"
#include "service/health.h"
#include "service/history.h"
#include "service/history_service.h"
#include "service/http_server.h"
#include "service/report_service.h"
#include "service/rpc_observer.h"
#include "service/screener.h"
#include "service/screening_service.h"
#include "service/store_metrics.h"
#include "service/tls_files.h"

namespace fraudgate::service {

bool IsLoopbackAddress(const std::string& host_port) {
  const size_t colon = host_port.rfind(':');
  const std::string host =
      colon == std::string::npos ? host_port : host_port.substr(0, colon);
  if (host == "localhost" || host == "[::1]") return true;
  // Only a literal address: a name such as "127.example.com" may resolve
  // anywhere.
  in_addr addr;
  return inet_pton(AF_INET, host.c_str(), &addr) == 1 &&
         (ntohl(addr.s_addr) >> 24) == 127;
}

Server::Server() = default;
Server::~Server() {
  if (server_) {
    Shutdown(absl::ZeroDuration());
    server_->Wait();
  }
  health_port_.reset();
  // Every call has finished, so no hit write is observed any more.
  if (store_ != nullptr) store_->hits().SetWriteObserver({});
}

namespace {

constexpr const char* kTlsFiles[] = {"ca.pem", "server.pem", "server-key.pem"};

// OK when `cert` holds a certificate, `key` its private key, and `ca` at
// least one certificate.
std::string TlsFile(const ServerOptions& options, const char* name) {
  return core::StrCat(options.tls_dir, "/", name);
}

absl::Status CheckTlsFiles(const ServerOptions& options) {
  if (options.tls_dir.empty()) {
    return absl::InvalidArgumentError(
        "tls-dir: mutual TLS needs a directory with ca.pem, server.pem and "
        "server-key.pem (scripts/dev-certs.sh makes development ones), or "
        "--insecure on a loopback address");
  }
  for (const char* name : kTlsFiles) {
    std::ifstream in(TlsFile(options, name));
    if (!in) {
      return absl::InvalidArgumentError(
          core::StrCat("tls-dir: cannot read ", TlsFile(options, name),
                       " (scripts/dev-certs.sh makes development ones)"));
    }
  }
  // gRPC reads the files only at the first handshake and then refuses every
  // connection; check them now, so a bad file stops the start instead.
  if (auto s = TlsMaterial::Load(options.tls_dir).status(); !s.ok()) {
    return absl::InvalidArgumentError(core::StrCat("tls-dir: ", s.message()));
  }
  if (options.tls_refresh_seconds < 1) {
    return absl::InvalidArgumentError("tls_refresh_seconds: must be >= 1");
  }
  return absl::OkStatus();
}

// Applies the rule of client_certificate.h at every handshake on the gRPC
// port, with the CA certificates `tls` holds now (gRPC has checked the chain
// the client sent against ca.pem already).
class ClientCertificateVerifier final
    : public grpc::experimental::ExternalCertificateVerifier {
 public:
  ClientCertificateVerifier(TlsFileWatcher* tls, Logger* logger)
      : tls_(tls), logger_(logger) {}

  bool Verify(grpc::experimental::TlsCustomVerificationCheckRequest* request,
              std::function<void(grpc::Status)>,
              grpc::Status* sync_status) override {
    const grpc::string_ref pem = request->peer_cert();
    absl::StatusOr<std::string> id = CheckClientCertificatePem(
        std::string_view(pem.data(), pem.size()), tls_->Current()->trusted());
    if (!id.ok()) {
      logger_->Log(LogLevel::kWarning, "tls_client_refused",
                   LogFields()
                       .Add("port", "grpc")
                       .Add("error", std::string(id.status().message())));
    }
    *sync_status = ToGrpcStatus(id.status());
    return true;  // done synchronously
  }
  void Cancel(grpc::experimental::TlsCustomVerificationCheckRequest*) override {
  }

 private:
  TlsFileWatcher* const tls_;
  Logger* const logger_;
};

// `tls` (null when insecure) must outlive the credentials.
std::shared_ptr<grpc::ServerCredentials> Credentials(
    const ServerOptions& options, TlsFileWatcher* tls, Logger* logger) {
  if (options.insecure) return grpc::InsecureServerCredentials();
  auto provider =
      std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
          TlsFile(options, "server-key.pem"), TlsFile(options, "server.pem"),
          TlsFile(options, "ca.pem"), options.tls_refresh_seconds);
  TlsFileWatcher* tls_files = tls;
  grpc::experimental::TlsServerCredentialsOptions tls_options(provider);
  tls_options.watch_root_certs();
  tls_options.watch_identity_key_cert_pairs();
  tls_options.set_cert_request_type(
      GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  tls_options.set_certificate_verifier(
      grpc::experimental::ExternalCertificateVerifier::Create<
          ClientCertificateVerifier>(tls_files, logger));
  return grpc::experimental::TlsServerCredentials(tls_options);
}

// Leaves server reflection out of a builder (the health-only port): the
// reflection plugin, once initialised, joins every builder.
class WithoutReflection : public grpc::ServerBuilderOption {
 public:
  void UpdateArguments(grpc::ChannelArguments*) override {}
  void UpdatePlugins(std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>>*
                         plugins) override {
    std::erase_if(*plugins, [](const auto& plugin) {
      return plugin->name() == "proto_server_reflection";
    });
  }
};

void ApplyLimits(const ServerLimits& limits, grpc::ServerBuilder& builder) {
  auto ms = [](absl::Duration d) {
    return static_cast<int>(absl::ToInt64Milliseconds(d));
  };
  builder.SetMaxReceiveMessageSize(limits.max_receive_message_bytes);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS,
                             limits.max_concurrent_streams);
  builder.AddChannelArgument(GRPC_ARG_MAX_METADATA_SIZE,
                             limits.max_metadata_bytes);
  // Keepalive enforcement: pings more often than this (without data) count
  // as strikes; two strikes close the connection.
  builder.AddChannelArgument(
      GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
      ms(limits.min_ping_interval));
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 2);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS,
                             ms(limits.max_connection_age));
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS,
                             ms(limits.max_connection_age_grace));
  builder.AddChannelArgument(GRPC_ARG_SERVER_HANDSHAKE_TIMEOUT_MS,
                             ms(limits.handshake_timeout));
  // Two servers on one port (SO_REUSEPORT, gRPC's default on Linux) would
  // split connections between them: a clash fails at bind instead.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
}

}  // namespace

// INVALID_ARGUMENT naming `field` unless `address` is HOST:PORT.
absl::Status CheckHostPort(std::string_view field, const std::string& address) {
  const size_t colon = address.rfind(':');
  int port = -1;
  if (colon == std::string::npos || colon == 0 ||
      !absl::SimpleAtoi(address.substr(colon + 1), &port) || port < 0 ||
      port > 65535) {
    return absl::InvalidArgumentError(core::StrCat(
        field, ": HOST:PORT expected (e.g. 127.0.0.1:50051), got \"", address,
        "\""));
  }
  return absl::OkStatus();
}

absl::Status ValidateServerOptions(const ServerOptions& options) {
  if (auto s = CheckHostPort("listen", options.listen); !s.ok()) return s;
  for (const auto& [field, address] :
       {std::pair{"http_listen", &options.http_listen},
        std::pair{"health_listen", &options.health_listen}}) {
    if (address->empty()) continue;
    if (auto s = CheckHostPort(field, *address); !s.ok()) return s;
    // Two ports on one number clash however their hosts are written
    // (localhost and 127.0.0.1); 0 picks a free one each.
    const std::string_view port =
        std::string_view(*address).substr(address->rfind(':') + 1);
    if (port != "0" && port == std::string_view(options.listen)
                                   .substr(options.listen.rfind(':') + 1)) {
      return absl::InvalidArgumentError(core::StrCat(
          field, ": port ", port, " is the gRPC port (listen) already"));
    }
  }
  if (!options.insecure) {
    if (auto s = CheckTlsFiles(options); !s.ok()) return s;
  } else if (!IsLoopbackAddress(options.listen)) {
    return absl::InvalidArgumentError(core::StrCat(
        "listen: --insecure serves only on a loopback address (got ",
        options.listen, ")"));
  }
  if (options.insecure && !options.http_listen.empty() &&
      !IsLoopbackAddress(options.http_listen)) {
    return absl::InvalidArgumentError(
        core::StrCat("http: --insecure serves only on a loopback address (got ",
                     options.http_listen, ")"));
  }
  if (auto s = ValidateAccessLogOptions(options.access_log); !s.ok()) {
    return s;
  }
  if (options.limits.max_stream_duration <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "limits.max_stream_seconds: must be positive");
  }
  const HttpLimits& http = options.http_limits;
  if (http.request_timeout <= absl::ZeroDuration() ||
      http.max_connections < 1 || http.max_connections_per_client < 1 ||
      http.workers < 1 || http.max_queued < 1) {
    return absl::InvalidArgumentError(
        "limits.http_*: the HTTP port's timeout and caps must be positive");
  }
  if (options.reports.upload_idle <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "limits.upload_idle_seconds: must be positive");
  }
  const CallGate::Budgets& budgets = options.limits.budgets;
  for (const auto& [field, value] :
       {std::pair{"max_in_flight", budgets.screening},
        std::pair{"max_in_flight_other", budgets.other},
        std::pair{"max_uploads_per_caller", budgets.uploads_per_caller}}) {
    if (value < 1) {
      return absl::InvalidArgumentError(
          core::StrCat("limits.", field, ": must be >= 1"));
    }
  }
  const CallGate::Rates& rates = options.limits.rates;
  if (!(rates.screening_rate > 0) || !(rates.get_entity_rate > 0) ||
      !(rates.query_rate > 0) || !(rates.screening_burst >= 1) ||
      !(rates.get_entity_burst >= 1) || !(rates.query_burst >= 1)) {
    return absl::InvalidArgumentError(
        "limits.rates: rates must be > 0 and bursts >= 1");
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
  if (auto s = ValidateProbeOptions(options.probes); !s.ok()) return s;
  return core::ValidateScoringOptions(options.scoring);
}

namespace {

// The services whose health is reported by name.
const std::vector<std::string>& HealthServices() {
  static const auto* const kServices = new std::vector<std::string>{
      "fraudgate.v1.ScreeningService", "fraudgate.v1.ReportService",
      "fraudgate.v1.HistoryService"};
  return *kServices;
}

}  // namespace

absl::StatusOr<std::unique_ptr<HealthPort>> HealthPort::Start(
    const ServerOptions& options) {
  // Plaintext for anyone who can reach it: the health service alone, a few
  // small calls at a time.
  grpc::EnableDefaultHealthCheckService(true);
  std::unique_ptr<HealthPort> port(new HealthPort());
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.health_listen,
                           grpc::InsecureServerCredentials(), &port->port_);
  ServerLimits probe_limits = options.limits;
  probe_limits.max_receive_message_bytes = 4096;
  probe_limits.max_concurrent_streams = 4;
  probe_limits.max_metadata_bytes = 4096;
  probe_limits.max_connection_age = absl::Minutes(5);
  ApplyLimits(probe_limits, builder);
  builder.SetOption(std::make_unique<WithoutReflection>());
  port->unknown_ = std::make_unique<grpc::CallbackGenericService>();
  builder.RegisterCallbackGenericService(port->unknown_.get());
  port->server_ = builder.BuildAndStart();
  if (!port->server_ || port->port_ == 0) {
    return absl::UnavailableError(
        core::StrCat("cannot listen on ", options.health_listen));
  }
  // Not ready until a Server says so; alive meanwhile.
  port->health()->SetServingStatus(false);
  port->health()->SetServingStatus(kLivenessService, true);
  for (const std::string& service : HealthServices()) {
    port->health()->SetServingStatus(service, false);
  }
  return port;
}

HealthPort::~HealthPort() {
  if (!server_) return;  // never started
  server_->Shutdown(std::chrono::system_clock::now());
  server_->Wait();
}

absl::StatusOr<std::unique_ptr<Server>> Server::Start(
    store::Store* store, ServerOptions options,
    std::unique_ptr<HealthPort> health_port) {
  const std::vector<std::string>& kServices = HealthServices();
  if (auto s = ValidateServerOptions(options); !s.ok()) return s;
  std::unique_ptr<Server> server(new Server());
  Logger* logger =
      options.logger != nullptr ? options.logger : &Logger::Default();
  server->probes_ = std::make_unique<ProbeDetector>(
      options.probes, logger, &server->metrics_, options.clock);
  ListWriter* writer = options.list_writer;
  if (writer == nullptr) {
    server->local_writer_ =
        std::make_unique<LocalListWriter>(&store->blocklist());
    writer = server->local_writer_.get();
  }
  ScreenerOptions screening{options.scoring, options.clock};
  if (options.list_writer != nullptr) {
    screening.list_fresh = [writer] { return writer->Fresh(); };
  }
  screening.hit_recorded = options.hit_recorded;
  server->screener_ = std::make_unique<Screener>(store, std::move(screening),
                                                 server->probes_.get());
  server->auth_ = std::make_unique<Authorizer>(options.insecure);
  server->gate_ =
      std::make_unique<CallGate>(server->auth_.get(), options.limits.budgets,
                                 options.limits.rates, options.clock);
  server->screening_ = std::make_unique<ScreeningService>(
      server->screener_.get(), server->gate_.get(),
      options.empty_screening_handler);
  server->deadline_cap_ =
      std::make_unique<DeadlineCap>(options.limits.max_stream_duration);
  server->reports_ = std::make_unique<ReportService>(
      store, writer, options.reports, options.clock, server->gate_.get(),
      server->deadline_cap_.get());
  server->history_ = std::make_unique<History>(store, options.clock);
  server->history_service_ = std::make_unique<HistoryService>(
      server->history_.get(), server->gate_.get());
  server->retention_ = std::make_unique<RetentionJob>(
      &store->hits(), options.retention, options.clock, logger);
  CallGate* gate = server->gate_.get();
  server->metrics_.AddFunction("fraudgate_in_flight_calls",
                               "Calls being served now.", MetricType::kGauge,
                               [gate] { return gate->in_flight(); });
  server->metrics_.AddFunction(
      "fraudgate_in_flight_screening_calls",
      "Screening calls being served now (limits.max_in_flight).",
      MetricType::kGauge, [gate] { return gate->screening_in_flight(); });
  server->metrics_.AddFunction(
      "fraudgate_shed_calls_total",
      "Calls refused with RESOURCE_EXHAUSTED because their budget of calls in "
      "flight (limits.max_in_flight, max_in_flight_other, "
      "max_uploads_per_caller) was taken.",
      MetricType::kCounter, [gate] { return gate->shed(); });
  AddStoreMetrics(store, &server->metrics_);
  server->metrics_.AddFunction(
      "fraudgate_log_lines_dropped_total",
      "Log lines dropped because the log output fell behind.",
      MetricType::kCounter, [logger] { return logger->dropped(); });
  server->store_ = store;
  if (options.add_metrics) options.add_metrics(server->metrics_);
  server->metrics_.AddFunction(
      "fraudgate_list_version",
      "Version of the blocklist: the count of committed police mutations.",
      MetricType::kGauge,
      [store] { return store->blocklist().list_version(); });

  // The standard health service (its status follows the store: see
  // HealthMonitor), for Kubernetes gRPC probes, and server reflection when
  // asked, for grpcurl-style tools. Both are open to every caller the
  // handshake admitted (DESIGN §5).
  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  if (options.reflection) {
    grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  } else {
    builder.SetOption(std::make_unique<WithoutReflection>());
  }
  if (!options.insecure) {
    ASSIGN_OR_RETURN(
        server->tls_,
        TlsFileWatcher::Create(options.tls_dir,
                               absl::Seconds(options.tls_refresh_seconds)));
  }
  builder.AddListeningPort(options.listen,
                           Credentials(options, server->tls_.get(), logger),
                           &server->port_);
  ApplyLimits(options.limits, builder);
  std::vector<
      std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
      interceptors;
  interceptors.push_back(std::make_unique<RpcObserverFactory>(
      &server->metrics_, logger, server->auth_.get(), options.access_log,
      kServices));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  builder.RegisterService(server->screening_.get());
  builder.RegisterService(server->reports_.get());
  builder.RegisterService(server->history_service_.get());
  server->server_ = builder.BuildAndStart();
  if (!server->server_ || server->port_ == 0) {
    return absl::UnavailableError(
        core::StrCat("cannot listen on ", options.listen));
  }
  server->health_port_ = std::move(health_port);
  if (!server->health_port_ && !options.health_listen.empty()) {
    ASSIGN_OR_RETURN(server->health_port_, HealthPort::Start(options));
  }
  server->health_ = std::make_unique<HealthMonitor>(
      store, writer,
      std::vector<grpc::HealthCheckServiceInterface*>{
          server->server_->GetHealthCheckService(),
          server->health_port_ ? server->health_port_->health() : nullptr},
      kServices, logger);
  if (!options.http_listen.empty()) {
    server->http_api_ = std::make_unique<HttpApi>(
        server->history_.get(), server->auth_.get(), server->gate_.get(),
        &server->metrics_, server->health_.get());
    ASSIGN_OR_RETURN(server->http_,
                     HttpServer::Start(server->http_api_.get(),
                                       options.http_listen, server->tls_.get(),
                                       options.http_limits, &server->metrics_));
  }
  server->retention_->Start();
  return server;
}

void Server::Shutdown(absl::Duration grace) {
  http_.reset();
  // Probes see NOT_SERVING while calls in flight finish (gRPC does the same
  // for the main port's own health service).
  health_.reset();
  if (health_port_) health_port_->health()->SetServingStatus(false);
  server_->Shutdown(
      std::chrono::system_clock::now() +
      std::chrono::microseconds(absl::ToInt64Microseconds(grace)));
}

void Server::Wait() { server_->Wait(); }

int Server::http_port() const { return http_ ? http_->port() : 0; }

}  // namespace fraudgate::service
