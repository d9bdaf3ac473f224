// Anti-probing signal (DESIGN §5): a stolen bank certificate used to learn
// which accounts are listed screens many beneficiaries the caller has not
// paid recently; a bank's own traffic mostly repeats payees. Per caller, the
// detector counts the distinct beneficiaries of each window that the caller
// did not screen in that window or the one before ("novel"). When a window's
// count reaches the threshold it raises
//   fraudgate_probe_alerts_total{caller="..."}      (once per window)
// and logs a warning `probe_suspected` with the caller, the count, and the
// last few novel beneficiaries masked. Every novel beneficiary also counts
// in fraudgate_novel_beneficiaries_total{caller="..."}.
//
// This is a signal for people, not a block: the per-caller token buckets
// (call_gate.h) are what slow an enumeration down.
//
// Memory: per caller, at most 2 x `max_tracked` 64-bit fingerprints; beyond
// that a window stops remembering (after its alert, as max_tracked >=
// threshold).
//
// Thread safety: Observe may be called concurrently.
#ifndef FRAUDGATE_SERVICE_PROBE_DETECTOR_H_
#define FRAUDGATE_SERVICE_PROBE_DETECTOR_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "core/identifier.h"
#include "service/log.h"
#include "service/metrics.h"

namespace fraudgate::service {

struct ProbeOptions {
  // Length of a window. Default 10 minutes.
  absl::Duration window = absl::Minutes(10);
  // Novel beneficiaries of one caller in one window that raise the alert,
  // 1..kMaxProbeThreshold. Set it above the most new payees a bank's whole
  // traffic brings in a window. Default 5000.
  int64_t threshold = 5000;
};

// Largest threshold: it bounds the fingerprints kept per caller.
inline constexpr int64_t kMaxProbeThreshold = 1'000'000;

// INVALID_ARGUMENT naming the field unless window > 0 and threshold is in
// 1..kMaxProbeThreshold.
absl::Status ValidateProbeOptions(const ProbeOptions& options);

class ProbeDetector {
 public:
  // `logger` and `metrics` must outlive the detector.
  ProbeDetector(ProbeOptions options, Logger* logger, Metrics* metrics,
                std::function<absl::Time()> clock);
  ~ProbeDetector();

  // `caller` screened a transfer to `beneficiary` (canonical).
  void Observe(const std::string& caller, const core::Identifier& beneficiary);

 private:
  struct CallerState;
  CallerState& StateOf(const std::string& caller);

  const ProbeOptions options_;
  Logger* const logger_;
  Metrics* const metrics_;
  const std::function<absl::Time()> clock_;
  std::mutex mu_;  // guards callers_ (not the states)
  absl::flat_hash_map<std::string, std::unique_ptr<CallerState>> callers_;
};

}  // namespace fraudgate::service

#endif  // FRAUDGATE_SERVICE_PROBE_DETECTOR_H_
