#include "service/health.h"

namespace fraudgate::service {

HealthMonitor::HealthMonitor(
    store::Store* store, const ListWriter* list,
    std::vector<grpc::HealthCheckServiceInterface*> health,
    std::vector<std::string> services, Logger* logger, absl::Duration interval)
    : store_(store),
      list_(list),
      health_(std::move(health)),
      services_(std::move(services)),
      logger_(logger) {
  Check();
  thread_ = std::thread([this, interval] {
    absl::MutexLock lock(&mu_);
    while (!mu_.AwaitWithTimeout(absl::Condition(&stop_), interval)) {
      mu_.Unlock();
      Check();
      mu_.Lock();
    }
  });
}

HealthMonitor::~HealthMonitor() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  thread_.join();
}

absl::Status HealthMonitor::Ready() const {
  absl::MutexLock lock(&mu_);
  return ready_;
}

void HealthMonitor::Check() {
  absl::Status now = store_->WriteHealth();
  const char* problem = "store_read_only";
  if (now.ok()) {
    now = list_->Fresh();
    problem = "list_stale";
  }
  absl::Status before;
  {
    absl::MutexLock lock(&mu_);
    before = ready_;
    ready_ = now;
  }
  if (now.ok() != before.ok()) {
    if (now.ok()) {
      logger_->Log(LogLevel::kInfo, "ready");
    } else {
      logger_->Log(LogLevel::kError, problem,
                   LogFields().Add("error", std::string(now.message())));
    }
  }
  for (grpc::HealthCheckServiceInterface* health : health_) {
    if (health == nullptr) continue;
    health->SetServingStatus(now.ok());
    for (const std::string& service : services_) {
      health->SetServingStatus(service, now.ok());
    }
  }
}

}  // namespace fraudgate::service
