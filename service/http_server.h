// The HTTP port of `fraudgate serve --http=HOST:PORT` (cpp-httplib): the
// read-only analyst console and the JSON it reads.
//   GET /                    the console page (/console.js, /console.css)
//   GET /api/hits            QueryHits: kind, issuer, value, from, to,
//                            decision (comma list), min_score, page_size,
//                            page_token
//   GET /api/past            FindPastTransfers: kind, issuer, value, from,
//                            to, page_size, page_token
//   GET /api/hits/HIT_ID     GetHit
//   GET /api/stats           HitStats: from, to, top_n
//   GET /metrics             Prometheus text format (metrics.h)
//   GET /healthz             liveness: 200 "ok" while the server runs
//   GET /readyz              readiness: 200 "ready", or 503 and why
//                            (health.h: the store does not accept writes)
// Times are ISO 8601 dates or date-times (Vietnam time without a zone).
// Answers are the API messages in proto3 JSON with the wire field names;
// errors are {"code": "INVALID_ARGUMENT", "message": "field: ..."} with
// status 400, 404, 503 or 500. Nothing on this port changes any state.
//
// Access: the same identities and role table as the gRPC API (auth.h). With
// TLS the port serves HTTPS with the gRPC port's certificate and requires a
// client certificate from its CA (without one the TLS handshake fails); the
// console and each endpoint need a role that may make the matching RPC
// (analyst or admin): 401 for a certificate without a fraudgate identity,
// 403 for another role. /metrics, /healthz and /readyz need only the TLS
// handshake (a certificate from the CA), so a scraper or prober may hold any
// role. With
// --insecure it serves plain HTTP on a loopback address to everyone as
// admin. The TLS files are re-read when they change, checked at most every
// `tls_refresh` (tls_files.h), so certificates rotate without a restart.
//
// Thread safety: requests are served on cpp-httplib's worker threads.
#ifndef FRAUDGATE_SERVICE_HTTP_SERVER_H_
#define FRAUDGATE_SERVICE_HTTP_SERVER_H_

#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "service/auth.h"
#include "service/health.h"
#include "service/history.h"
#include "service/metrics.h"
#include "service/tls_files.h"

namespace httplib {
class Server;
}

namespace fraudgate::service {

class HttpServer {
 public:
  // Listens on `listen` (HOST:PORT; port 0 picks one) and serves in the
  // background: HTTPS with client certificates when `tls_dir` is set (its
  // ca.pem, server.pem, server-key.pem), plain HTTP when it is empty.
  // INVALID_ARGUMENT for unreadable TLS files, UNAVAILABLE when the address
  // cannot be bound. `history`, `auth`, `metrics` and `health` must outlive
  // the server.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(
      History* history, const Authorizer* auth, const Metrics* metrics,
      const HealthMonitor* health, const std::string& listen,
      const std::string& tls_dir, absl::Duration tls_refresh);
  // Stops listening and waits for the serving thread.
  ~HttpServer();

  int port() const { return port_; }

 private:
  HttpServer();
  std::unique_ptr<TlsFileWatcher> tls_;  // outlives server_'s SSL_CTX
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace fraudgate::service

#endif  // FRAUDGATE_SERVICE_HTTP_SERVER_H_
