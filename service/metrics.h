// Counters and gauges, exposed in the Prometheus text format (version 0.0.4)
// on the HTTP port's /metrics (http_server.h). Names follow Prometheus
// conventions: a `fraudgate_` prefix, `_total` on counters, base units.
//
// A counter or histogram is found (or made) once per label set and kept:
// incrementing or observing is a few relaxed atomic adds, cheap enough for
// the screening path. A gauge (or a counter kept elsewhere) is a function
// read at scrape time.
//
// Thread safety: all methods are thread-safe.
#ifndef FRAUDGATE_SERVICE_METRICS_H_
#define FRAUDGATE_SERVICE_METRICS_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"

namespace fraudgate::service {

enum class MetricType { kCounter, kGauge };

// Label name and value pairs, e.g. {{"caller", "bank/acb"}}.
using MetricLabels = std::vector<std::pair<std::string, std::string>>;

// Bucket upper bounds for latencies, in seconds: 100 us to 10 s.
inline const std::vector<double>& LatencyBuckets() {
  static const std::vector<double> buckets = {
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
      0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10};
  return buckets;
}

class Metrics {
 public:
  class Counter {
   public:
    void Increment(int64_t by = 1) {
      value_.fetch_add(by, std::memory_order_relaxed);
    }
    int64_t value() const { return value_.load(std::memory_order_relaxed); }

   private:
    std::atomic<int64_t> value_{0};
  };

  // Counts of observations at or below each bound, their sum and count.
  // Each is its own atomic: a scrape during Observe may see the count and
  // the sum one observation apart.
  class Histogram {
   public:
    // `bounds`: ascending upper bounds; +Inf is implied.
    explicit Histogram(std::vector<double> bounds);
    void Observe(double value);

   private:
    friend class Metrics;
    const std::vector<double> bounds_;
    // Per bucket (not cumulative), the last one +Inf.
    std::unique_ptr<std::atomic<int64_t>[]> counts_;
    std::atomic<double> sum_{0};
  };

  // One sample of a function-backed metric.
  struct Sample {
    MetricLabels labels;
    double value = 0;
  };

  // The counter `name` with `labels`, made at the first call; the pointer
  // stays valid as long as the registry. `help` is taken from the first call
  // for a name.
  Counter* GetCounter(std::string_view name, std::string_view help,
                      const MetricLabels& labels = {});

  // The histogram `name` with `labels`, as GetCounter; `bounds` are taken
  // from the first call for a name.
  Histogram* GetHistogram(std::string_view name, std::string_view help,
                          const MetricLabels& labels = {},
                          const std::vector<double>& bounds = LatencyBuckets());

  // A metric without labels whose value `read` gives at scrape time (for a
  // counter, a value that only grows). `read` must stay callable as long as
  // the registry is rendered.
  void AddFunction(std::string_view name, std::string_view help,
                   MetricType type, std::function<double()> read);
  // The same for a metric whose samples (one per label set) `read` gives.
  void AddSamples(std::string_view name, std::string_view help, MetricType type,
                  std::function<std::vector<Sample>()> read);

  // Every metric in the text format: # HELP and # TYPE lines, then one
  // sample a line, names in order. Without `with_callers`, samples with a
  // "caller" label (whose values are certificate identities) are left out.
  std::string Render(bool with_callers = true) const;

 private:
  struct Family {
    std::string help;
    std::string type;  // "counter", "gauge" or "histogram"
    // Rendered label set (a="b",c="d" without braces, or empty) -> counter
    // or histogram.
    std::map<std::string, std::unique_ptr<Counter>> counters;
    std::map<std::string, std::unique_ptr<Histogram>> histograms;
    std::vector<double> bounds;  // of the histograms
    std::function<std::vector<Sample>()> read;
  };
  // The family `name`, made with `help` and `type` at the first call.
  Family& FamilyOf(std::string_view name, std::string_view help,
                   std::string_view type) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  mutable absl::Mutex mu_;
  std::map<std::string, Family, std::less<>> families_ ABSL_GUARDED_BY(mu_);
};

}  // namespace fraudgate::service

#endif  // FRAUDGATE_SERVICE_METRICS_H_
