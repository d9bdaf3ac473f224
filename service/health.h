// Whether the server is ready to serve: the store must accept writes (a
// screening that cannot record its hit answers UNAVAILABLE, DESIGN §6), and
// a cluster node's list must be fresh (ListWriter::Fresh, DESIGN §9). A
// background thread checks the store every `interval` and sets the standard
// gRPC health service's status of every server it was given, for the server
// as a whole ("") and for each fraudgate service: SERVING, or NOT_SERVING
// while a failed write keeps the store read-only, or while the list is
// stale. At each check of a read-only store it first tries to resume its
// writes (store::Store::ResumeWrites): after a full disk the server serves
// again by itself within about an interval of space returning; after an
// error no resume mends (e.g. EIO) it stays NOT_SERVING until restarted.
// Each change is logged before it is announced (`store_read_only` and
// `list_stale` at error level, `store_writable` and `list_current` at info).
// gRPC itself answers NOT_SERVING once a server shuts down.
//
// Thread safety: Ready() may be called from any thread.
#ifndef FRAUDGATE_SERVICE_HEALTH_H_
#define FRAUDGATE_SERVICE_HEALTH_H_

#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/health_check_service_interface.h"
#include "service/list_writer.h"
#include "service/log.h"
#include "store/store.h"

namespace fraudgate::service {

// The health service name whose status is Live(): SERVING unless the store
// must be reopened. A liveness probe asks for it (deploy/k8s), so that a
// full disk or a stale cluster list, which mend by themselves, make the
// server NOT_SERVING for readiness without getting it restarted.
inline constexpr char kLivenessService[] = "liveness";

class HealthMonitor {
 public:
  // `store`, `list`, `logger` and every service in `health` must outlive the
  // monitor (null entries are skipped). Checks once, then every `interval`.
  HealthMonitor(store::Store* store, const ListWriter* list,
                std::vector<grpc::HealthCheckServiceInterface*> health,
                std::vector<std::string> services, Logger* logger,
                absl::Duration interval = absl::Seconds(1));
  // Stops the background thread.
  ~HealthMonitor();

  // OK when ready; why not (UNAVAILABLE) otherwise, as of the last check.
  absl::Status Ready() const;
  // OK while the server can still become ready by itself; UNAVAILABLE once
  // the store stopped writes for good (store::Store::WritesNeedReopen), so
  // that a liveness probe restarts the process, which reopens it.
  absl::Status Live() const;

 private:
  void Check();

  store::Store* const store_;
  const ListWriter* const list_;
  const std::vector<grpc::HealthCheckServiceInterface*> health_;
  const std::vector<std::string> services_;
  Logger* const logger_;
  mutable absl::Mutex mu_;
  absl::Status ready_ ABSL_GUARDED_BY(mu_);
  absl::Status live_ ABSL_GUARDED_BY(mu_);
  bool store_ok_ ABSL_GUARDED_BY(mu_) = true;
  bool list_ok_ ABSL_GUARDED_BY(mu_) = true;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace fraudgate::service

#endif  // FRAUDGATE_SERVICE_HEALTH_H_
