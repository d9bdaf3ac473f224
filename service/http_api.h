// What the HTTP port answers, apart from how it is carried (http_server.h
// carries it): the read-only analyst console and the JSON it reads, metrics
// and health.
//   GET /                    the console page (/console.js, /console.css)
//   GET /api/hits            QueryHits: kind, issuer, value, from, to,
//                            decision (comma list), min_score, page_size,
//                            page_token
//   GET /api/past            FindPastTransfers: kind, issuer, value, from,
//                            to, page_size, page_token
//   GET /api/hits/HIT_ID     GetHit
//   GET /api/stats           HitStats: from, to, top_n
//   GET /metrics             Prometheus text format (metrics.h)
//   GET /healthz             liveness: 200 "ok" while the server runs and
//                            can become ready by itself; 503 and why once
//                            the store must be reopened (health.h)
//   GET /readyz              readiness: 200 "ready", or 503 and why
//                            (health.h: the store does not accept writes)
// Times are ISO 8601 dates or date-times (Vietnam time without a zone).
// Answers are the API messages in proto3 JSON with the wire field names;
// errors are {"code": "INVALID_ARGUMENT", "message": "field: ..."} with
// status 400, 401, 403, 404, 429, 503 or 500. Nothing here changes any state.
//
// Access: the same identities, role table, rates and budgets as the gRPC
// API. The console and each /api/ path need a role that may make the
// matching RPC (analyst or admin; 403 for another role), and pass the call
// gate like the RPC (call_gate.h: 429 when over the caller's query rate or
// the budget of calls in flight). /metrics, /healthz and /readyz answer any
// caller the transport admitted; /metrics shows per-caller series (which
// name certificate identities) to admin and monitor only.
//
// Thread safety: Answer may be called from any thread.
#ifndef FRAUDGATE_SERVICE_HTTP_API_H_
#define FRAUDGATE_SERVICE_HTTP_API_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "service/auth.h"
#include "service/call_gate.h"
#include "service/health.h"
#include "service/history.h"
#include "service/metrics.h"

namespace fraudgate::service {

struct HttpRequest {
  std::string path;  // decoded, without the query
  // Query parameters in order, decoded; the first of a name counts.
  std::vector<std::pair<std::string, std::string>> params;
  // The URI SAN of the client certificate the transport verified
  // (client_certificate.h); none on a plaintext (--insecure) port.
  std::optional<std::string> identity;
};

struct HttpAnswer {
  int status = 200;
  std::string content_type;
  std::string body;
  // Personal data: the answer must not be cached anywhere.
  bool no_store = false;
};

class HttpApi {
 public:
  // Every pointer must outlive the API.
  HttpApi(History* history, const Authorizer* auth, CallGate* gate,
          const Metrics* metrics, const HealthMonitor* health)
      : history_(history),
        auth_(auth),
        gate_(gate),
        metrics_(metrics),
        health_(health) {}

  // True for the paths answered at once from memory (/healthz, /readyz,
  // /metrics), which never wait for the store: the transport answers them
  // without queueing them behind the rest.
  static bool IsCheap(std::string_view path);

  HttpAnswer Answer(const HttpRequest& request) const;

  // The answer to a request that failed with `status` before it could be
  // answered (e.g. ParseHttpTarget's error): the JSON error above.
  static HttpAnswer ErrorAnswer(const absl::Status& status);

 private:
  History* const history_;
  const Authorizer* const auth_;
  CallGate* const gate_;
  const Metrics* const metrics_;
  const HealthMonitor* const health_;
};

// Parses a request target "/path?a=1&b=x%20y": percent-decoding and '+' as
// space in parameters. INVALID_ARGUMENT for a malformed escape or a path or
// parameter that is not UTF-8.
absl::StatusOr<HttpRequest> ParseHttpTarget(std::string_view target);

}  // namespace fraudgate::service

#endif  // FRAUDGATE_SERVICE_HTTP_API_H_
