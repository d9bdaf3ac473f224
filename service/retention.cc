#include "service/retention.h"

#include "absl/time/clock.h"
#include "core/text.h"

namespace fraudgate::service {

absl::Status ValidateRetentionOptions(const RetentionOptions& options) {
  const std::pair<const char*, absl::Duration> fields[] = {
      {"hit_retention_days", options.hit_retention},
      {"unmatched_retention_days", options.unmatched_retention},
      {"retention_interval_minutes", options.interval},
  };
  for (const auto& [name, value] : fields) {
    if (value <= absl::ZeroDuration()) {
      return absl::InvalidArgumentError(
          core::StrCat("history.", name, ": must be positive"));
    }
  }
  return absl::OkStatus();
}

RetentionJob::RetentionJob(store::HitStore* hits, RetentionOptions options,
                           std::function<absl::Time()> clock, Logger* logger)
    : hits_(hits),
      options_(options),
      clock_(std::move(clock)),
      logger_(logger) {}

RetentionJob::~RetentionJob() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void RetentionJob::Start() {
  thread_ = std::thread([this] {
    absl::MutexLock lock(&mu_);
    while (!stop_) {
      mu_.Unlock();
      const absl::Time start = absl::Now();
      if (auto removed = RunOnce(); !removed.ok()) {
        // The next run retries; screening goes on meanwhile.
        logger_->Log(LogLevel::kError, "retention_failed",
                     LogFields().Add("error", removed.status().ToString()));
      } else if (*removed > 0) {
        logger_->Log(
            LogLevel::kInfo, "retention_done",
            LogFields()
                .Add("removed", *removed)
                .Add("seconds", absl::ToDoubleSeconds(absl::Now() - start)));
      }
      mu_.Lock();
      mu_.AwaitWithTimeout(absl::Condition(&stop_), options_.interval);
    }
  });
}

absl::StatusOr<int64_t> RetentionJob::RunOnce() {
  const absl::Time now = clock_();
  auto removed = hits_->RemoveExpired(now - options_.hit_retention,
                                      now - options_.unmatched_retention);
  if (removed.ok()) removed_ += *removed;
  return removed;
}

}  // namespace fraudgate::service
