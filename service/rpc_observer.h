// Observes every call the gRPC server serves, as a server interceptor, so
// calls refused before their handler ran (authentication, rate limits) and
// the health and reflection services are seen as well:
//   - fraudgate_rpc_handled_total{service,method,code}: calls by status code;
//   - fraudgate_rpc_duration_seconds{service,method}: from the call's start
//     to its status being sent (histogram);
//   - fraudgate_screening_decisions_total{decision}: the decisions of
//     ScreenTransfer and of each ScreenTransfers item;
//   - one access-log line a call, event "rpc", level info: caller, method,
//     code, latency_ms and, for ScreenTransfer, the decision. The caller is
//     "<role>/<name>" from the client certificate, "-" without one. No
//     request content (no identifier) is logged.
//
// Thread safety: the factory is thread-safe; gRPC drives each interceptor
// from one call.
#ifndef FRAUDGATE_SERVICE_RPC_OBSERVER_H_
#define FRAUDGATE_SERVICE_RPC_OBSERVER_H_

#include <array>
#include <atomic>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/support/server_interceptor.h"
#include "service/auth.h"
#include "service/log.h"
#include "service/metrics.h"

namespace fraudgate::service {

class RpcObserverFactory
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  // All must outlive the server that uses the factory.
  RpcObserverFactory(Metrics* metrics, Logger* logger, const Authorizer* auth);

  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

  // The figures of one method, made at its first call.
  class MethodStats {
   public:
    // `full_method`: "/package.Service/Method".
    MethodStats(Metrics* metrics, std::string_view full_method);
    const std::string& full_method() const { return full_method_; }
    const std::string& service() const { return service_; }  // package.Service
    const std::string& method() const { return method_; }    // Method
    Metrics::Histogram* latency() const { return latency_; }
    Metrics::Counter* Handled(grpc::StatusCode code);

   private:
    Metrics* const metrics_;
    const std::string full_method_;
    const std::string service_;
    const std::string method_;
    Metrics::Histogram* const latency_;
    // By status code (0..16); made at the first call that ends with it.
    std::array<std::atomic<Metrics::Counter*>, 17> handled_{};
  };

  // Counts one screening decision (v1::Decision).
  void CountDecision(int decision);
  MethodStats* StatsOf(const char* full_method);
  Logger* logger() const { return logger_; }
  const Authorizer& auth() const { return *auth_; }

 private:
  Metrics* const metrics_;
  Logger* const logger_;
  const Authorizer* const auth_;
  // By v1::Decision (1..4; 0, unspecified, is not counted).
  std::array<Metrics::Counter*, 5> decisions_{};
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::unique_ptr<MethodStats>> methods_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace fraudgate::service

#endif  // FRAUDGATE_SERVICE_RPC_OBSERVER_H_
