// LatencyHistogram: exact below 64 us, percentiles never below the true value
// and at most ~3% above it, the exact maximum, and concurrent recording.
#include "bench/latency_histogram.h"

#include <algorithm>
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

}  // namespace
}  // namespace fraudgate::bench
