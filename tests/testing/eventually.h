// Waiting in tests for what another thread or process makes true.
#ifndef FRAUDGATE_TESTS_TESTING_EVENTUALLY_H_
#define FRAUDGATE_TESTS_TESTING_EVENTUALLY_H_

#include <functional>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace fraudgate::testing {

// Calls `done` every 10 ms until it returns true; false once `limit` has
// passed without.
inline bool Eventually(const std::function<bool()>& done,
                       absl::Duration limit = absl::Seconds(30)) {
  const absl::Time until = absl::Now() + limit;
  while (!done()) {
    if (absl::Now() > until) return false;
    absl::SleepFor(absl::Milliseconds(10));
  }
  return true;
}

}  // namespace fraudgate::testing

#endif  // FRAUDGATE_TESTS_TESTING_EVENTUALLY_H_
