// Metrics: the Prometheus text format, one family per name with HELP and
// TYPE, counters and histograms per label set (escaped), function-backed
// counters and gauges (with or without labels) read at render time.
#include "service/metrics.h"

#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraudgate::service {
namespace {

TEST(MetricsTest, RendersTheTextFormat) {
  Metrics metrics;
  Metrics::Counter* a = metrics.GetCounter("fraudgate_x_total", "Things.",
                                           {{"caller", "bank/a"}});
  Metrics::Counter* b = metrics.GetCounter("fraudgate_x_total", "ignored",
                                           {{"caller", "say \"hi\"\\\n"}});
  a->Increment();
  a->Increment(2);
  // The same name and labels give the same counter.
  EXPECT_EQ(metrics.GetCounter("fraudgate_x_total", "", {{"caller", "bank/a"}}),
            a);
  b->Increment();
  double in_flight = 7;
  metrics.AddFunction("fraudgate_in_flight_calls", "Calls now.",
                      MetricType::kGauge, [&] { return in_flight; });
  metrics.AddFunction("fraudgate_shed_calls_total", "Shed.",
                      MetricType::kCounter, [] { return 12.0; });
  in_flight = 3;  // read at render time
  EXPECT_EQ(metrics.Render(),
            "# HELP fraudgate_in_flight_calls Calls now.\n"
            "# TYPE fraudgate_in_flight_calls gauge\n"
            "fraudgate_in_flight_calls 3\n"
            "# HELP fraudgate_shed_calls_total Shed.\n"
            "# TYPE fraudgate_shed_calls_total counter\n"
            "fraudgate_shed_calls_total 12\n"
            "# HELP fraudgate_x_total Things.\n"
            "# TYPE fraudgate_x_total counter\n"
            "fraudgate_x_total{caller=\"bank/a\"} 3\n"
            "fraudgate_x_total{caller=\"say \\\"hi\\\"\\\\\\n\"} 1\n");
  EXPECT_EQ(a->value(), 3);
}

TEST(MetricsTest, RendersHistogramsAndLabelledSamples) {
  Metrics metrics;
  Metrics::Histogram* h =
      metrics.GetHistogram("fraudgate_rpc_duration_seconds", "Latency.",
                           {{"method", "Screen"}}, {0.001, 0.01, 10});
  EXPECT_EQ(metrics.GetHistogram("fraudgate_rpc_duration_seconds", "",
                                 {{"method", "Screen"}}),
            h);
  h->Observe(0.0005);
  h->Observe(0.001);  // a bound is inclusive
  h->Observe(0.5);
  h->Observe(100);  // +Inf only
  metrics.AddSamples("fraudgate_store_sst_bytes", "Table files.",
                     MetricType::kGauge, [] {
                       return std::vector<Metrics::Sample>{
                           {{{"column_family", "entities"}}, 2048},
                           {{{"column_family", "hits"}}, 0.25}};
                     });
  EXPECT_EQ(
      metrics.Render(),
      "# HELP fraudgate_rpc_duration_seconds Latency.\n"
      "# TYPE fraudgate_rpc_duration_seconds histogram\n"
      "fraudgate_rpc_duration_seconds_bucket{method=\"Screen\",le=\"0.001\"} "
      "2\n"
      "fraudgate_rpc_duration_seconds_bucket{method=\"Screen\",le=\"0.01\"} "
      "2\n"
      "fraudgate_rpc_duration_seconds_bucket{method=\"Screen\",le=\"10\"} 3\n"
      "fraudgate_rpc_duration_seconds_bucket{method=\"Screen\",le=\"+Inf\"} "
      "4\n"
      "fraudgate_rpc_duration_seconds_sum{method=\"Screen\"} 100.5015\n"
      "fraudgate_rpc_duration_seconds_count{method=\"Screen\"} 4\n"
      "# HELP fraudgate_store_sst_bytes Table files.\n"
      "# TYPE fraudgate_store_sst_bytes gauge\n"
      "fraudgate_store_sst_bytes{column_family=\"entities\"} 2048\n"
      "fraudgate_store_sst_bytes{column_family=\"hits\"} 0.25\n");
}

TEST(MetricsTest, HistogramCountsFromManyThreads) {
  Metrics metrics;
  Metrics::Histogram* h = metrics.GetHistogram("fraudgate_x_seconds", "X.");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([h] {
      for (int i = 0; i < 10000; ++i) h->Observe(0.002);
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_THAT(metrics.Render(),
              ::testing::HasSubstr("fraudgate_x_seconds_count 40000\n"));
  EXPECT_THAT(
      metrics.Render(),
      ::testing::HasSubstr("fraudgate_x_seconds_bucket{le=\"0.001\"} "
                           "0\nfraudgate_x_seconds_bucket{le=\"0.0025\"} "
                           "40000\n"));
}

}  // namespace
}  // namespace fraudgate::service
