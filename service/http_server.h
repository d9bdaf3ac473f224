// The HTTP port of `fraudgate serve --http=HOST:PORT`: carries what
// http_api.h answers, over HTTPS with client certificates from the gRPC
// port's CA (tls_files.h, client_certificate.h: without a good certificate
// the TLS handshake fails), or over plain HTTP on a loopback address with
// --insecure.
//
// Event-driven (Boost.Beast on one I/O thread), so a slow or idle connection
// costs a socket, not a thread, and cannot hold the port:
//  - a connection must finish its TLS handshake and send its first request's
//    headers within `request_timeout` of being accepted; a keep-alive
//    connection must send the next request's headers within that of the last
//    answer; writing an answer must finish within a minute;
//  - at most `max_connections` at once, and `max_connections_per_client`
//    from one address; more are closed at once;
//  - /healthz, /readyz and /metrics are answered on the I/O thread at once;
//    the console and /api/* (which read the store) on `workers` threads, at
//    most `max_queued` waiting: more get 503 at once.
//
// Thread safety: Start and the destructor from one thread.
#ifndef FRAUDGATE_SERVICE_HTTP_SERVER_H_
#define FRAUDGATE_SERVICE_HTTP_SERVER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "service/http_api.h"
#include "service/metrics.h"
#include "service/tls_files.h"

namespace fraudgate::service {

struct HttpLimits {
  // TLS handshake and request headers, from accept or the last answer.
  // Default 5 s.
  absl::Duration request_timeout = absl::Seconds(5);
  // Default 512.
  int max_connections = 512;
  // Connections from one client address. Default 32.
  int max_connections_per_client = 32;
  // Threads answering the console and /api/*. Default 2.
  int workers = 2;
  // Requests waiting for those threads. Default 64.
  int max_queued = 64;
};

class HttpServer {
 public:
  // Listens on `listen` (HOST:PORT; port 0 picks one) and serves `api` in
  // the background: HTTPS with the files of `tls` when not null, plain HTTP
  // otherwise. UNAVAILABLE when the address cannot be bound,
  // INVALID_ARGUMENT when it is not HOST:PORT. `api` and `tls` must outlive
  // the server. Adds to `metrics` fraudgate_http_connections (open now) and
  // fraudgate_http_refused_total (connections closed at once for being over
  // a cap, and requests answered 503 for want of a worker).
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(
      const HttpApi* api, const std::string& listen, TlsFileWatcher* tls,
      const HttpLimits& limits, Metrics* metrics);
  // Stops listening, closes every connection and waits for its threads.
  ~HttpServer();

  int port() const { return port_; }

  // What the serving threads share (http_server.cc).
  struct State;

 private:
  HttpServer() = default;
  std::unique_ptr<State> state_;
  int port_ = 0;
};

}  // namespace fraudgate::service

#endif  // FRAUDGATE_SERVICE_HTTP_SERVER_H_
