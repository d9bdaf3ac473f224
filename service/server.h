// The gRPC server: ScreeningService, ReportService and HistoryService over one
// store. Used by `fraudgate serve` and by tests (port 0).
// Thread safety: Shutdown() may be called from any thread, once.
#ifndef FRAUDGATE_SERVICE_SERVER_H_
#define FRAUDGATE_SERVICE_SERVER_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "core/scoring.h"
#include "grpcpp/generic/async_generic_service.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/server.h"
#include "service/access_log.h"
#include "service/call_gate.h"
#include "service/http_server.h"
#include "service/list_writer.h"
#include "service/log.h"
#include "service/metrics.h"
#include "service/probe_detector.h"
#include "service/report_service.h"
#include "service/retention.h"
#include "service/tls_files.h"
#include "store/store.h"

namespace fraudgate::service {

class ScreeningService;
class Authorizer;
class CallGate;
class DeadlineCap;
class History;
class HttpApi;
class HttpServer;
class HealthMonitor;
class HistoryService;
class Screener;

// Transport limits (gRPC channel arguments) and load shedding.
struct ServerLimits {
  // Largest message the server reads: one Report of an upload stream, or one
  // request. Default 4 MiB. (Screening requests have their own, smaller cap:
  // kMaxScreeningRequestBytes.)
  int max_receive_message_bytes = 4 << 20;
  // Concurrent streams per connection. Default 100.
  int max_concurrent_streams = 100;
  // Request metadata (headers). Default 16 KiB.
  int max_metadata_bytes = 16 << 10;
  // Keepalive pings without data more often than this close the connection
  // after two strikes. Default 10 s.
  absl::Duration min_ping_interval = absl::Seconds(10);
  // Connections are closed (gracefully) after this age, so load rebalances.
  // Default 30 min, then up to 30 s for calls in flight.
  absl::Duration max_connection_age = absl::Minutes(30);
  absl::Duration max_connection_age_grace = absl::Seconds(30);
  // A TLS handshake must finish within this. Default 10 s.
  absl::Duration handshake_timeout = absl::Seconds(10);
  // Calls in flight at once, screening apart from the rest, and upload
  // streams per caller; more are refused with RESOURCE_EXHAUSTED at once
  // (see call_gate.h).
  CallGate::Budgets budgets;
  // Per-caller token buckets on screening, GetEntity and history queries
  // (see call_gate.h).
  CallGate::Rates rates;
  // A streaming call ends with DEADLINE_EXCEEDED after this long when the
  // client's deadline is later or missing (see deadline_cap.h). Default 5 min.
  absl::Duration max_stream_duration = absl::Minutes(5);
};

struct ServerOptions {
  // HOST:PORT to listen on; port 0 picks a free port. Default 127.0.0.1:50051.
  std::string listen = "127.0.0.1:50051";
  // HOST:PORT of the HTTP port (analyst console, /metrics, /healthz,
  // /readyz; see http_server.h); port 0 picks a free port. Default empty: no
  // HTTP port.
  std::string http_listen;
  // HOST:PORT of a plaintext gRPC port serving only the standard health
  // service (grpc.health.v1.Health), for probes that cannot do mutual TLS
  // (Kubernetes gRPC probes); port 0 picks a free port. Default empty: none.
  std::string health_listen;
  // Serve plaintext and treat every caller as admin. Only allowed on a
  // loopback address. Default false: mutual TLS with `tls_dir`.
  bool insecure = false;
  // Mutual TLS material: ca.pem (the CA that signs client certificates),
  // server.pem and server-key.pem. The files are watched and re-read every
  // `tls_refresh_seconds`, so certificates rotate without a restart (replace
  // them atomically: rename a directory or swap a symlink). Default empty.
  std::string tls_dir;
  // Default 60.
  int tls_refresh_seconds = 60;
  // Points, boosts and thresholds. Default: DESIGN §4.
  core::ScoringOptions scoring;
  // Report lifetimes and upload batching. Default: see ReportOptions.
  ReportOptions reports;
  // Default: see ServerLimits.
  ServerLimits limits;
  // Retention of the screening history, run in the background while the
  // server runs. Default: see RetentionOptions.
  RetentionOptions retention;
  // The anti-probing signal. Default: see ProbeOptions.
  ProbeOptions probes;
  // Connections and timeouts of the HTTP port. Default: see HttpLimits.
  HttpLimits http_limits;
  // Which calls get an access-log line. Default: see AccessLogOptions.
  AccessLogOptions access_log;
  // Serve gRPC server reflection on the gRPC port, to every caller whose
  // certificate the handshake admitted. Default false.
  bool reflection = false;
  // Where police mutations go, and whether the list may answer (a cluster
  // node's: cluster/cluster_list.h); must outlive the server. Default (null):
  // this node's store, always fresh.
  ListWriter* list_writer = nullptr;
  // Called with each new screening record once written, on the store's
  // writer thread; must not block (a cluster node publishes it:
  // cluster/hit_feed.h). Default: none.
  std::function<void(const v1::HitRecord&)> hit_recorded;
  // Adds the caller's own metrics (a cluster node's) to the server's, at
  // start. Default: none.
  std::function<void(Metrics&)> add_metrics;
  // Where the server logs; must outlive the server. Default (null):
  // Logger::Default(), stderr.
  Logger* logger = nullptr;
  // Source of the current time. Default: absl::Now.
  std::function<absl::Time()> clock = [] { return absl::Now(); };
  // For bench/ only: ScreenTransfer answers at once with an empty response,
  // checking and recording nothing (see ScreeningService). Default false.
  bool empty_screening_handler = false;
};

// True for 127.0.0.0/8, localhost and [::1] listen addresses.
bool IsLoopbackAddress(const std::string& host_port);

// The checks Server::Start makes before it builds anything, so a caller can
// refuse bad options before it opens the store: INVALID_ARGUMENT for an
// address that is not HOST:PORT, with neither `insecure` nor a `tls_dir`
// holding readable TLS files, for insecure on a non-loopback address (gRPC
// or HTTP), or for invalid scoring, retention or probe options. (Two
// addresses on one port fail at Start, when binding: UNAVAILABLE.)
absl::Status ValidateServerOptions(const ServerOptions& options);

// The plaintext health port (ServerOptions::health_listen): the standard
// health service and nothing else (UNIMPLEMENTED for any other method, no
// reflection, small limits). Started before the store is opened, it lets
// probes see NOT_SERVING (overall and for each fraudgate service) while the
// store opens; a Server started with it then sets its status.
class HealthPort {
 public:
  // Listens on options.health_listen. UNAVAILABLE when it cannot be bound.
  static absl::StatusOr<std::unique_ptr<HealthPort>> Start(
      const ServerOptions& options);
  // Stops at once.
  ~HealthPort();

  // The bound port.
  int port() const { return port_; }
  grpc::HealthCheckServiceInterface* health() const {
    return server_->GetHealthCheckService();
  }

 private:
  HealthPort() = default;
  // Answers UNIMPLEMENTED to every other method; it also makes the port a
  // callback server, whose threads poll it (a server of the health service
  // alone would have nothing polling its completion queue).
  std::unique_ptr<grpc::CallbackGenericService> unknown_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

class Server {
 public:
  // Builds the services and starts listening. INVALID_ARGUMENT for a bad
  // option (e.g. insecure on a non-loopback address); UNAVAILABLE when the
  // address cannot be bound. `store` must outlive the server. With
  // options.health_listen, the server serves health there on `health_port`
  // when given (started on that address), on a port it starts otherwise.
  static absl::StatusOr<std::unique_ptr<Server>> Start(
      store::Store* store, ServerOptions options,
      std::unique_ptr<HealthPort> health_port = nullptr);
  ~Server();

  // The bound port (the real one when `listen` asked for port 0).
  int port() const { return port_; }
  // The bound HTTP port; 0 without one.
  int http_port() const;
  // The bound plaintext health port; 0 without one.
  int health_port() const { return health_port_ ? health_port_->port() : 0; }
  // The server's metrics (served on the HTTP port's /metrics).
  const Metrics& metrics() const { return metrics_; }

  // Stops accepting calls and waits up to `grace` for in-flight ones, then
  // cancels the rest.
  void Shutdown(absl::Duration grace);
  // Blocks until the server has shut down.
  void Wait();

 private:
  Server();
  // The TLS files both ports check client certificates with (null when
  // insecure); outlives the servers.
  std::unique_ptr<TlsFileWatcher> tls_;
  std::unique_ptr<Authorizer> auth_;
  std::unique_ptr<CallGate> gate_;
  Metrics metrics_;
  std::unique_ptr<ProbeDetector> probes_;
  std::unique_ptr<DeadlineCap> deadline_cap_;
  std::unique_ptr<Screener> screener_;
  std::unique_ptr<ScreeningService> screening_;
  std::unique_ptr<LocalListWriter> local_writer_;
  std::unique_ptr<ReportService> reports_;
  std::unique_ptr<History> history_;
  std::unique_ptr<HistoryService> history_service_;
  std::unique_ptr<RetentionJob> retention_;
  std::unique_ptr<HttpApi> http_api_;
  std::unique_ptr<HttpServer> http_;
  store::Store* store_ = nullptr;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<HealthPort> health_port_;
  // Destroyed before the servers whose health status it sets.
  std::unique_ptr<HealthMonitor> health_;
  int port_ = 0;
};

}  // namespace fraudgate::service

#endif  // FRAUDGATE_SERVICE_SERVER_H_
