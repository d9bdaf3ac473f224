#include "service/rate_limiter.h"

#include <algorithm>

namespace fraudgate::service {

RateLimiter::RateLimiter(double rate, double burst,
                         std::function<absl::Time()> clock)
    : rate_(rate), burst_(burst), clock_(std::move(clock)) {}

bool RateLimiter::TryTake(const std::string& caller, double cost) {
  const absl::Time now = clock_();
  absl::MutexLock lock(&mu_);
  auto [it, inserted] = buckets_.try_emplace(caller, Bucket{burst_, now});
  Bucket& b = it->second;
  if (!inserted && now > b.refilled) {
    b.tokens = std::min(
        burst_, b.tokens + absl::ToDoubleSeconds(now - b.refilled) * rate_);
    b.refilled = now;
  }
  if (b.tokens < cost) return false;
  b.tokens -= cost;
  return true;
}

}  // namespace fraudgate::service
