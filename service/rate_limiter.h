// Per-caller token buckets (anti-probing, DESIGN §5): a stolen bank
// certificate must not be able to enumerate the blocklist quickly. Each
// caller has its own bucket per limited class of calls, refilled at `rate`
// tokens a second up to `burst`.
//
// Thread safety: all methods are thread-safe.
#ifndef FRAUDGATE_SERVICE_RATE_LIMITER_H_
#define FRAUDGATE_SERVICE_RATE_LIMITER_H_

#include <functional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace fraudgate::service {

class RateLimiter {
 public:
  // `rate` > 0 tokens a second, `burst` >= 1; `clock` gives "now".
  RateLimiter(double rate, double burst, std::function<absl::Time()> clock);

  // Takes `cost` tokens from `caller`'s bucket; false (taking none) when it
  // holds fewer.
  bool TryTake(const std::string& caller, double cost = 1);

 private:
  struct Bucket {
    double tokens;
    absl::Time refilled;
  };
  const double rate_;
  const double burst_;
  const std::function<absl::Time()> clock_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Bucket> buckets_ ABSL_GUARDED_BY(mu_);
};

}  // namespace fraudgate::service

#endif  // FRAUDGATE_SERVICE_RATE_LIMITER_H_
