// Which finished calls get an access-log line, so a bank can afford the log
// at thousands of calls a second: every call that matters, a sample of the
// rest, and counters for all of it.
//
// A call gets a line, and the line says why ("why" field):
//   - "error": it ended with a status other than OK;
//   - "decision": a screening answered WARN, HOLD or BLOCK (for a batch: any
//     item did, or any item failed);
//   - "slow": it took `slow` or longer;
//   - "sample": one call in `sample_every` of the others;
//   - "all": the logger is at debug level, so every call is logged (no
//     budget: the operator asked for everything).
// Otherwise lines past `max_lines_per_second` in one second of the steady
// clock are not written (a flood of bad calls must not flood the log);
// errors, decisions, slow calls and the sample all take from that budget.
//
// fraudgate_access_log_lines_total{why} counts the lines written and
// fraudgate_access_log_unlogged_total{why="sampled_out"|"over_budget"} the
// calls without one; fraudgate_rpc_handled_total counts every call
// regardless (rpc_observer.h).
//
// Thread safety: Decide may be called from any thread at once; the budget
// and sample counters are atomics (a second's budget may be overrun by the
// calls that race at its start).
#ifndef FRAUDGATE_SERVICE_ACCESS_LOG_H_
#define FRAUDGATE_SERVICE_ACCESS_LOG_H_

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "service/metrics.h"

namespace fraudgate::service {

struct AccessLogOptions {
  // One ordinary call (OK, ALLOW, not slow) in this many gets a line; 1:
  // every call, 0: none. Default 1000.
  int sample_every = 1000;
  // Calls at least this long always get a line. Default 100 ms.
  absl::Duration slow = absl::Milliseconds(100);
  // At most this many lines a second; 0: no access lines. Default 1000.
  int max_lines_per_second = 1000;
};

// INVALID_ARGUMENT naming the field (server.access_log_…) for negative values.
absl::Status ValidateAccessLogOptions(const AccessLogOptions& options);

class AccessLog {
 public:
  // What a finished call was.
  struct Call {
    bool ok = true;
    // A non-ALLOW screening decision (or a batch item that was one, or that
    // failed).
    bool notable_decision = false;
    absl::Duration latency;
  };

  // `metrics` must outlive the AccessLog.
  AccessLog(const AccessLogOptions& options, Metrics* metrics);

  // Why `call` gets a line ("error", "decision", "slow", "sample", "all"),
  // or nullopt when it does not (counted). `log_everything`: the logger is
  // at debug level. `now`: the call's end on the steady clock.
  std::optional<std::string_view> Decide(
      const Call& call, bool log_everything,
      std::chrono::steady_clock::time_point now);

 private:
  enum Why { kError, kDecision, kSlow, kSample, kAll, kWhyCount };
  bool TakeFromBudget(std::chrono::steady_clock::time_point now);

  const AccessLogOptions options_;
  std::array<Metrics::Counter*, kWhyCount> lines_{};
  Metrics::Counter* const sampled_out_;
  Metrics::Counter* const over_budget_;
  // Ordinary calls seen, for the sample.
  std::atomic<uint64_t> ordinary_{0};
  // The budget's second (steady clock, seconds) and the lines taken in it.
  std::atomic<int64_t> second_{-1};
  std::atomic<int64_t> taken_{0};
};

}  // namespace fraudgate::service

#endif  // FRAUDGATE_SERVICE_ACCESS_LOG_H_
