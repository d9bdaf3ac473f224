// Metrics: the Prometheus text format, one family per name with HELP and
// TYPE, counters per label set (escaped), function-backed counters and
// gauges read at render time.
#include "service/metrics.h"

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

}  // namespace
}  // namespace fraudgate::service
