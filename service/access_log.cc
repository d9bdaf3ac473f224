#include "service/access_log.h"

namespace fraudgate::service {
namespace {

constexpr std::string_view kWhyNames[] = {"error", "decision", "slow", "sample",
                                          "all"};

}  // namespace

absl::Status ValidateAccessLogOptions(const AccessLogOptions& options) {
  if (options.sample_every < 0) {
    return absl::InvalidArgumentError(
        "server.access_log_sample_every: must be 0 (none) or more");
  }
  if (options.slow < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "server.access_log_slow_ms: must be 0 or more");
  }
  if (options.max_lines_per_second < 0) {
    return absl::InvalidArgumentError(
        "server.access_log_max_lines_per_second: must be 0 (none) or more");
  }
  return absl::OkStatus();
}

AccessLog::AccessLog(const AccessLogOptions& options, Metrics* metrics)
    : options_(options),
      sampled_out_(metrics->GetCounter(
          "fraudgate_access_log_unlogged_total",
          "Calls without an access-log line: ordinary calls outside the "
          "sample, and calls past the lines-per-second budget.",
          {{"why", "sampled_out"}})),
      over_budget_(metrics->GetCounter("fraudgate_access_log_unlogged_total",
                                       "", {{"why", "over_budget"}})) {
  for (int why = 0; why < kWhyCount; ++why) {
    lines_[why] = metrics->GetCounter(
        "fraudgate_access_log_lines_total",
        "Access-log lines written, by why the call was logged.",
        {{"why", std::string(kWhyNames[why])}});
  }
}

std::optional<std::string_view> AccessLog::Decide(
    const Call& call, bool log_everything,
    std::chrono::steady_clock::time_point now) {
  if (log_everything) {
    lines_[kAll]->Increment();
    return kWhyNames[kAll];
  }
  Why why;
  if (!call.ok) {
    why = kError;
  } else if (call.notable_decision) {
    why = kDecision;
  } else if (call.latency >= options_.slow) {
    why = kSlow;
  } else if (options_.sample_every > 0 &&
             ordinary_.fetch_add(1, std::memory_order_relaxed) %
                     options_.sample_every ==
                 0) {
    why = kSample;
  } else {
    sampled_out_->Increment();
    return std::nullopt;
  }
  if (!TakeFromBudget(now)) {
    over_budget_->Increment();
    return std::nullopt;
  }
  lines_[why]->Increment();
  return kWhyNames[why];
}

bool AccessLog::TakeFromBudget(std::chrono::steady_clock::time_point now) {
  const int64_t second =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch())
          .count();
  int64_t seen = second_.load(std::memory_order_relaxed);
  if (seen < second && second_.compare_exchange_strong(
                           seen, second, std::memory_order_relaxed)) {
    taken_.store(0, std::memory_order_relaxed);
  }
  return taken_.fetch_add(1, std::memory_order_relaxed) <
         options_.max_lines_per_second;
}

}  // namespace fraudgate::service
