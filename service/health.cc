#include "service/health.h"

namespace fraudgate::service {

HealthMonitor::HealthMonitor(
    store::Store* store, std::vector<grpc::HealthCheckServiceInterface*> health,
    std::vector<std::string> services, Logger* logger, absl::Duration interval)
    : store_(store),
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
  const absl::Status now = store_->WriteHealth();
  absl::Status before;
  {
    absl::MutexLock lock(&mu_);
    before = ready_;
    ready_ = now;
  }
  if (now.ok() != before.ok()) {
    if (now.ok()) {
      logger_->Log(LogLevel::kInfo, "store_writable");
    } else {
      logger_->Log(LogLevel::kError, "store_read_only",
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
