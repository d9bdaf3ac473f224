// A latency histogram for the load generator: log-linear buckets (exact below
// 64 us, then 32 sub-buckets per power of two, so a percentile is reported
// at most ~3% above the true value, never below it), lock-free recording
// from any thread, and an exact maximum.
#ifndef FRAUDGATE_BENCH_LATENCY_HISTOGRAM_H_
#define FRAUDGATE_BENCH_LATENCY_HISTOGRAM_H_

#include <array>
#include <atomic>
#include <bit>
#include <cmath>
#include <cstdint>

namespace fraudgate::bench {

class LatencyHistogram {
 public:
  // Records one latency in microseconds (negative counts as 0).
  void Record(int64_t micros) {
    const uint64_t v = micros < 0 ? 0 : static_cast<uint64_t>(micros);
    counts_[IndexOf(v)].fetch_add(1, std::memory_order_relaxed);
    count_.fetch_add(1, std::memory_order_relaxed);
    uint64_t max = max_.load(std::memory_order_relaxed);
    while (v > max &&
           !max_.compare_exchange_weak(max, v, std::memory_order_relaxed)) {
    }
  }

  uint64_t count() const { return count_.load(); }
  uint64_t max() const { return max_.load(); }

  // The smallest bucket upper bound at or below which `fraction` (0..1] of
  // the recorded values lie, in microseconds; 0 when nothing was recorded.
  uint64_t Percentile(double fraction) const {
    const uint64_t total = count();
    if (total == 0) return 0;
    // Nearest rank: the ceil(fraction * total)-th smallest value.
    uint64_t rank =
        static_cast<uint64_t>(std::ceil(fraction * static_cast<double>(total)));
    if (rank < 1) rank = 1;
    if (rank > total) rank = total;
    uint64_t seen = 0;
    for (size_t i = 0; i < kBuckets; ++i) {
      seen += counts_[i].load(std::memory_order_relaxed);
      if (seen >= rank) {
        const uint64_t upper = UpperOf(i);
        return upper < max() ? upper : max();
      }
    }
    return max();
  }

 private:
  static constexpr size_t kExact = 64;
  static constexpr size_t kSub = 32;
  static constexpr size_t kBuckets = kExact + kSub * 58;

  static size_t IndexOf(uint64_t v) {
    if (v < kExact) return static_cast<size_t>(v);
    const int shift = 63 - std::countl_zero(v) - 5;  // v >> shift in [32, 64)
    return kExact + static_cast<size_t>(shift - 1) * kSub +
           static_cast<size_t>((v >> shift) - kSub);
  }
  static uint64_t UpperOf(size_t index) {
    if (index < kExact) return index;
    const size_t shift = (index - kExact) / kSub + 1;
    const uint64_t top = (index - kExact) % kSub + kSub;
    return ((top + 1) << shift) - 1;
  }

  std::array<std::atomic<uint64_t>, kBuckets> counts_{};
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> max_{0};
};

}  // namespace fraudgate::bench

#endif  // FRAUDGATE_BENCH_LATENCY_HISTOGRAM_H_
