// A latency histogram for the load generator: log-linear buckets (exact below
// 64 us, then 32 sub-buckets per power of two, so a percentile is reported
// at most ~3% above the true value, never below it), lock-free recording
// from any thread, and an exact maximum. Snapshots of its counts, taken
// while it records, give the percentiles of what was recorded between two
// of them (an interval of a long run).
#ifndef FRAUDGATE_BENCH_LATENCY_HISTOGRAM_H_
#define FRAUDGATE_BENCH_LATENCY_HISTOGRAM_H_

#include <array>
#include <atomic>
#include <bit>
#include <cmath>
#include <cstdint>

namespace fraudgate::bench {

class LatencyHistogram {
 private:
  static constexpr size_t kExact = 64;
  static constexpr size_t kSub = 32;
  static constexpr size_t kBuckets = kExact + kSub * 58;

 public:
  // The counts of a histogram at one moment (LatencyHistogram::Take), or,
  // as `later - earlier`, what was recorded between two such moments.
  class Snapshot {
   public:
    uint64_t count() const { return count_; }

    // As LatencyHistogram::Percentile, but from the buckets alone: the upper
    // bound of the bucket holding the value (exact below 64 us, at most ~3%
    // above the true value, never below); 0 when the snapshot is empty.
    uint64_t Percentile(double fraction) const {
      const size_t i = IndexOfRank(count_, fraction,
                                   [this](size_t k) { return counts_[k]; });
      return i < kBuckets ? UpperOf(i) : 0;
    }

    // The upper bound of the highest non-empty bucket: at or above the
    // largest value counted, at most ~3% above it; 0 when empty.
    uint64_t MaxBound() const { return Percentile(1.0); }

    // What was recorded after `earlier`, a snapshot taken before this one
    // of the same histogram.
    Snapshot operator-(const Snapshot& earlier) const {
      Snapshot d;
      for (size_t i = 0; i < kBuckets; ++i) {
        d.counts_[i] = counts_[i] - earlier.counts_[i];
        d.count_ += d.counts_[i];
      }
      return d;
    }

   private:
    friend class LatencyHistogram;
    std::array<uint64_t, kBuckets> counts_{};
    uint64_t count_ = 0;
  };

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
    const size_t i = IndexOfRank(total, fraction, [this](size_t k) {
      return counts_[k].load(std::memory_order_relaxed);
    });
    if (i == kBuckets) return max();
    const uint64_t upper = UpperOf(i);
    return upper < max() ? upper : max();
  }

  // The counts now, while other threads may go on recording (each bucket is
  // read once; the snapshot's count is the sum of what it read).
  Snapshot Take() const {
    Snapshot s;
    for (size_t i = 0; i < kBuckets; ++i) {
      s.counts_[i] = counts_[i].load(std::memory_order_relaxed);
      s.count_ += s.counts_[i];
    }
    return s;
  }

 private:
  // The bucket holding the nearest-rank `fraction` percentile (the
  // ceil(fraction * total)-th smallest value) of `total` values, given each
  // bucket's count by count_of(i); kBuckets when the counts add up to less.
  template <typename CountOf>
  static size_t IndexOfRank(uint64_t total, double fraction, CountOf count_of) {
    if (total == 0) return kBuckets;
    uint64_t rank =
        static_cast<uint64_t>(std::ceil(fraction * static_cast<double>(total)));
    if (rank < 1) rank = 1;
    if (rank > total) rank = total;
    uint64_t seen = 0;
    for (size_t i = 0; i < kBuckets; ++i) {
      seen += count_of(i);
      if (seen >= rank) return i;
    }
    return kBuckets;
  }

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
