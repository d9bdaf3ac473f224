#include "service/probe_detector.h"

#include <algorithm>

#include "absl/hash/hash.h"
#include "core/text.h"

namespace fraudgate::service {
namespace {

// Novel beneficiaries kept (masked) for the alert's log line.
constexpr size_t kSampleSize = 5;

}  // namespace

struct ProbeDetector::CallerState {
  std::mutex mu;
  absl::Time window_start = absl::InfinitePast();
  absl::flat_hash_set<uint64_t> current;   // fingerprints seen this window
  absl::flat_hash_set<uint64_t> previous;  // and in the window before
  int64_t novel = 0;                       // this window
  bool alerted = false;                    // this window
  std::deque<core::Identifier> sample;     // last novel ones
  Metrics::Counter* novel_total = nullptr;
  Metrics::Counter* alerts_total = nullptr;
};

absl::Status ValidateProbeOptions(const ProbeOptions& options) {
  if (options.window <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "probes.window_seconds: must be positive");
  }
  if (options.threshold < 1 || options.threshold > kMaxProbeThreshold) {
    return absl::InvalidArgumentError(core::StrCat(
        "probes.threshold: must be between 1 and ", kMaxProbeThreshold));
  }
  return absl::OkStatus();
}

ProbeDetector::ProbeDetector(ProbeOptions options, Logger* logger,
                             Metrics* metrics,
                             std::function<absl::Time()> clock)
    : options_(options),
      logger_(logger),
      metrics_(metrics),
      clock_(std::move(clock)) {}

ProbeDetector::~ProbeDetector() = default;

ProbeDetector::CallerState& ProbeDetector::StateOf(const std::string& caller) {
  std::lock_guard<std::mutex> lock(mu_);
  std::unique_ptr<CallerState>& state = callers_[caller];
  if (state == nullptr) {
    state = std::make_unique<CallerState>();
    const MetricLabels labels = {{"caller", caller}};
    state->novel_total = metrics_->GetCounter(
        "fraudgate_novel_beneficiaries_total",
        "Screened beneficiaries the caller had not screened in the current or "
        "the previous probe window.",
        labels);
    state->alerts_total = metrics_->GetCounter(
        "fraudgate_probe_alerts_total",
        "Probe windows in which a caller screened at least the threshold of "
        "novel beneficiaries.",
        labels);
  }
  return *state;
}

void ProbeDetector::Observe(const std::string& caller,
                            const core::Identifier& beneficiary) {
  CallerState& s = StateOf(caller);
  const uint64_t fingerprint = absl::HashOf(beneficiary.Key());
  const absl::Time now = clock_();
  std::lock_guard<std::mutex> lock(s.mu);
  if (now >= s.window_start + options_.window) {
    // A new window; the one just ended is "previous" only if it was the
    // window right before.
    if (now < s.window_start + 2 * options_.window) {
      s.previous = std::move(s.current);
    } else {
      s.previous.clear();
    }
    s.current.clear();
    s.window_start = now;
    s.novel = 0;
    s.alerted = false;
    s.sample.clear();
  }
  if (s.current.contains(fingerprint)) return;
  const size_t max_tracked =
      static_cast<size_t>(std::max<int64_t>(options_.threshold * 2, 1024));
  if (s.current.size() < max_tracked) s.current.insert(fingerprint);
  if (s.previous.contains(fingerprint)) return;

  ++s.novel;
  s.novel_total->Increment();
  s.sample.push_back(beneficiary);
  if (s.sample.size() > kSampleSize) s.sample.pop_front();
  if (s.alerted || s.novel < options_.threshold) return;
  s.alerted = true;
  s.alerts_total->Increment();
  LogFields fields;
  fields.Add("caller", caller)
      .Add("novel_beneficiaries", s.novel)
      .Add("threshold", options_.threshold)
      .Add("window_seconds", absl::ToInt64Seconds(options_.window));
  for (size_t i = 0; i < s.sample.size(); ++i) {
    fields.Identifier(core::StrCat("recent_", i + 1), s.sample[i]);
  }
  logger_->Log(LogLevel::kWarning, "probe_suspected", fields);
}

}  // namespace fraudgate::service
