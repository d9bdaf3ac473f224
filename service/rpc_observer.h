// Observes every call the gRPC server serves, as a server interceptor (so
// the health and reflection services are counted too):
//   - fraudgate_rpc_handled_total{service,method,code}: calls by status code;
//   - fraudgate_rpc_duration_seconds{service,method}: from the call's start
//     to its status being sent (histogram);
//   - fraudgate_screening_decisions_total{decision}: the decisions of
//     ScreenTransfer and of each ScreenTransfers item;
//   - an access-log line, event "rpc", level info, for the calls AccessLog
//     picks (errors, non-ALLOW decisions, slow calls, a sample; every call
//     at debug level: access_log.h): caller, method, code, latency_ms, for
//     ScreenTransfer the decision, and why it was logged. The caller is
//     "<role>/<name>" from the client certificate ("admin/insecure" with
//     --insecure), "-" without a fraudgate identity. No request content (no
//     identifier) is logged.
// A unary call of those services whose request cannot be parsed (a
// malformed message, a string field that is not UTF-8) ends with
// INVALID_ARGUMENT naming the request type: gRPC itself finishes it with
// UNIMPLEMENTED and no message (its callback handlers treat a failed
// deserialization like a missing handler), which would tell a bank's
// engineers the method does not exist.
// Methods are the ones of the services given at construction; a call to any
// other path (a client may send any) is counted as service and method
// "unknown", so clients cannot grow the metrics (its access line shows the
// path, cut at 128 bytes).
//
// The work runs on the thread that finishes the call: for screening, the
// hit writer thread (store::HitStore), so it must stay small (the logger
// does not write on the calling thread: log.h).
//
// Thread safety: the factory is thread-safe; gRPC drives each interceptor
// from one call.
#ifndef FRAUDGATE_SERVICE_RPC_OBSERVER_H_
#define FRAUDGATE_SERVICE_RPC_OBSERVER_H_

#include <array>
#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "grpcpp/support/server_interceptor.h"
#include "service/access_log.h"
#include "service/auth.h"
#include "service/log.h"
#include "service/metrics.h"

namespace fraudgate::service {

class RpcObserverFactory
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  // `services`: full names ("fraudgate.v1.ScreeningService") of the services
  // whose methods are observed by name, from the generated descriptor pool,
  // plus the health and reflection services. All pointers must outlive the
  // server that uses the factory.
  RpcObserverFactory(Metrics* metrics, Logger* logger, const Authorizer* auth,
                     const AccessLogOptions& access_log,
                     const std::vector<std::string>& services);

  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

  // The figures of one method.
  class MethodStats {
   public:
    // `request_type`: the full name of a fraudgate method's request message,
    // "" for other methods.
    MethodStats(Metrics* metrics, std::string service, std::string method,
                std::string request_type = "");
    const std::string& service() const { return service_; }  // package.Service
    const std::string& method() const { return method_; }    // Method
    // "/package.Service/Method", as the access log shows it.
    const std::string& path() const { return path_; }
    const std::string& request_type() const { return request_type_; }
    Metrics::Histogram* latency() const { return latency_; }
    Metrics::Counter* Handled(grpc::StatusCode code);

   private:
    Metrics* const metrics_;
    const std::string service_;
    const std::string method_;
    const std::string path_;
    const std::string request_type_;
    Metrics::Histogram* const latency_;
    // By status code (0..16); made at the first call that ends with it.
    std::array<std::atomic<Metrics::Counter*>, 17> handled_{};
  };

  // Counts one screening decision (v1::Decision).
  void CountDecision(int decision);
  Logger* logger() const { return logger_; }
  AccessLog& access_log() { return access_log_; }
  // The figures shared by every path no service registered.
  const MethodStats* unknown() const { return &unknown_; }
  const Authorizer& auth() const { return *auth_; }

 private:
  Logger* const logger_;
  const Authorizer* const auth_;
  AccessLog access_log_;
  // By v1::Decision (1..4; 0, unspecified, is not counted).
  std::array<Metrics::Counter*, 5> decisions_{};
  // By path; fixed after construction, so read without a lock.
  std::map<std::string, std::unique_ptr<MethodStats>, std::less<>> methods_;
  MethodStats unknown_;
};

}  // namespace fraudgate::service

#endif  // FRAUDGATE_SERVICE_RPC_OBSERVER_H_
