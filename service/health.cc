#include "service/health.h"

namespace fraudgate::service {

HealthMonitor::HealthMonitor(
    store::Store* store, std::vector<grpc::HealthCheckServiceInterface*> health,
    Logger* logger, absl::Duration interval)
    : store_(store), health_(std::move(health)), logger_(logger) {
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
  for (grpc::HealthCheckServiceInterface* health : health_) {
    if (health != nullptr) health->SetServingStatus(now.ok());
  }
  if (now.ok() == before.ok()) return;
  if (now.ok()) {
    logger_->Log(LogLevel::kInfo, "store_writable");
  } else {
    logger_->Log(LogLevel::kError, "store_read_only",
                 LogFields().Add("error", std::string(now.message())));
  }
}

}  // namespace fraudgate::service
