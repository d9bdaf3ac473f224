// LatencyHistogram: exact below 64 us, percentiles never below the true value
// and at most ~3% above it, the exact maximum, concurrent recording, and the
// percentiles of an interval from the difference of two snapshots.
#include "bench/latency_histogram.h"

#include <algorithm>
#include <atomic>
#include <climits>
#include <cmath>
#include <random>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace fraudgate::bench {
namespace {

TEST(LatencyHistogramTest, EmptyIsZero) {
  LatencyHistogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.Percentile(0.99), 0u);
}

TEST(LatencyHistogramTest, SmallValuesAreExact) {
  LatencyHistogram h;
  for (int v = 1; v <= 50; ++v) h.Record(v);
  EXPECT_EQ(h.Percentile(0.5), 25u);
  EXPECT_EQ(h.Percentile(0.33), 17u);  // nearest rank: ceil(16.5) = 17th
  EXPECT_EQ(h.Percentile(1.0), 50u);
  EXPECT_EQ(h.max(), 50u);
  h.Record(-5);  // a clock step backwards counts as 0
  EXPECT_EQ(h.count(), 51u);
}

TEST(LatencyHistogramTest, PercentilesAreBoundedAboveTheTruth) {
  LatencyHistogram h;
  std::vector<int64_t> values;
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> latency(5.5, 1.0);  // ~250 us median
  for (int i = 0; i < 100'000; ++i) {
    values.push_back(static_cast<int64_t>(latency(rng)));
    h.Record(values.back());
  }
  std::sort(values.begin(), values.end());
  for (double p : {0.5, 0.9, 0.99, 0.999}) {
    // The nearest-rank percentile: the ceil(p * n)-th smallest value.
    const auto truth = static_cast<uint64_t>(
        values[static_cast<size_t>(std::ceil(p * values.size())) - 1]);
    const uint64_t got = h.Percentile(p);
    EXPECT_GE(got, truth) << p;
    EXPECT_LE(got, truth + truth / 32 + 1) << p;
  }
  EXPECT_EQ(h.max(), static_cast<uint64_t>(values.back()));
  EXPECT_EQ(h.Percentile(1.0), h.max());
}

TEST(LatencyHistogramTest, HugeValuesFit) {
  LatencyHistogram h;
  h.Record(int64_t{1} << 62);
  h.Record(INT64_MAX);
  EXPECT_EQ(h.count(), 2u);
  EXPECT_EQ(h.max(), static_cast<uint64_t>(INT64_MAX));
  EXPECT_EQ(h.Percentile(1.0), static_cast<uint64_t>(INT64_MAX));
}

TEST(LatencyHistogramTest, ConcurrentRecordsAreAllCounted) {
  LatencyHistogram h;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&h, t] {
      for (int i = 0; i < 50'000; ++i) h.Record(i % 1000 + t);
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(h.count(), 200'000u);
  EXPECT_EQ(h.max(), 1002u);
}

TEST(LatencyHistogramTest, SnapshotOfAllMatchesTheHistogram) {
  LatencyHistogram h;
  std::mt19937_64 rng(11);
  std::lognormal_distribution<double> latency(6.0, 1.2);
  for (int i = 0; i < 50'000; ++i) {
    h.Record(static_cast<int64_t>(latency(rng)));
  }
  const LatencyHistogram::Snapshot s = h.Take();
  EXPECT_EQ(s.count(), h.count());
  for (double p : {0.5, 0.9, 0.99, 0.999, 1.0}) {
    // The histogram clamps to its exact maximum; the snapshot knows buckets.
    EXPECT_EQ(std::min(s.Percentile(p), h.max()), h.Percentile(p)) << p;
  }
  EXPECT_GE(s.MaxBound(), h.max());
  EXPECT_LE(s.MaxBound(), h.max() + h.max() / 32 + 1);
}

TEST(LatencyHistogramTest, DifferenceOfSnapshotsIsTheInterval) {
  LatencyHistogram h;
  for (int v = 1; v <= 50; ++v) h.Record(v);
  const LatencyHistogram::Snapshot first = h.Take();
  EXPECT_EQ(first.Percentile(0.5), 25u);  // exact below 64 us
  // The next interval: 100 values of 10,000 us and one of 50,000 us.
  for (int i = 0; i < 100; ++i) h.Record(10'000);
  h.Record(50'000);
  const LatencyHistogram::Snapshot interval = h.Take() - first;
  EXPECT_EQ(interval.count(), 101u);
  for (double p : {0.01, 0.5, 0.99}) {
    EXPECT_GE(interval.Percentile(p), 10'000u) << p;
    EXPECT_LE(interval.Percentile(p), 10'000u + 10'000u / 32 + 1) << p;
  }
  EXPECT_GE(interval.MaxBound(), 50'000u);
  EXPECT_LE(interval.MaxBound(), 50'000u + 50'000u / 32 + 1);
  // Nothing recorded since: an empty interval.
  const LatencyHistogram::Snapshot idle = h.Take() - h.Take();
  EXPECT_EQ(idle.count(), 0u);
  EXPECT_EQ(idle.Percentile(0.99), 0u);
  EXPECT_EQ(idle.MaxBound(), 0u);
}

TEST(LatencyHistogramTest, SnapshotsWhileRecordingNeverGoBackwards) {
  LatencyHistogram h;
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int64_t i = 0; !stop; ++i) h.Record(i % 5000);
  });
  const LatencyHistogram::Snapshot first = h.Take();
  LatencyHistogram::Snapshot before = first;
  uint64_t total = 0;
  for (int k = 0; k < 200; ++k) {
    LatencyHistogram::Snapshot now = h.Take();
    const LatencyHistogram::Snapshot interval = now - before;
    EXPECT_EQ(now.count(), before.count() + interval.count());
    EXPECT_LE(interval.count(), now.count());  // no bucket went negative
    total += interval.count();
    before = now;
  }
  stop = true;
  writer.join();
  EXPECT_EQ(total, before.count() - first.count());
  EXPECT_LE(before.count(), h.count());
}

}  // namespace
}  // namespace fraudgate::bench
