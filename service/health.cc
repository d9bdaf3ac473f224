#include "service/health.h"

#include "core/text.h"

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

absl::Status HealthMonitor::Live() const {
  absl::MutexLock lock(&mu_);
  return live_;
}

void HealthMonitor::Check() {
  const absl::Status store = store_->ResumeWrites();
  const absl::Status list = list_->Fresh();
  const absl::Status now = !store.ok() ? store : list;
  const absl::Status live =
      store_->WritesNeedReopen()
          ? absl::UnavailableError(core::StrCat(
                store.message(), " (restart the server to reopen it)"))
          : absl::OkStatus();
  bool store_was_ok, list_was_ok;
  {
    absl::MutexLock lock(&mu_);
    store_was_ok = store_ok_;
    list_was_ok = list_ok_;
    store_ok_ = store.ok();
    list_ok_ = list.ok();
    ready_ = now;
    live_ = live;
  }
  // Each condition's changes, under its own names.
  auto log_change = [this](bool was_ok, const absl::Status& status,
                           const char* ok_event, const char* bad_event) {
    if (status.ok() == was_ok) return;
    if (status.ok()) {
      logger_->Log(LogLevel::kInfo, ok_event);
    } else {
      logger_->Log(LogLevel::kError, bad_event,
                   LogFields().Add("error", std::string(status.message())));
    }
  };
  log_change(store_was_ok, store, "store_writable", "store_read_only");
  log_change(list_was_ok, list, "list_current", "list_stale");
  for (grpc::HealthCheckServiceInterface* health : health_) {
    if (health == nullptr) continue;
    // The call without a name sets every name's status: it comes first.
    health->SetServingStatus(now.ok());
    for (const std::string& service : services_) {
      health->SetServingStatus(service, now.ok());
    }
    health->SetServingStatus(kLivenessService, live.ok());
  }
}

}  // namespace fraudgate::service
