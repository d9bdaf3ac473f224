// Counters and gauges, exposed in the Prometheus text format (version 0.0.4)
// on the HTTP port's /metrics (http_server.h). Names follow Prometheus
// conventions: a `fraudgate_` prefix, `_total` on counters, base units.
//
// A counter is found (or made) once per label set and kept: incrementing it
// is one relaxed atomic add, cheap enough for the screening path. A gauge is
// a function read at scrape time.
//
// Thread safety: all methods are thread-safe.
#ifndef FRAUDGATE_SERVICE_METRICS_H_
#define FRAUDGATE_SERVICE_METRICS_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fraudgate::service {

enum class MetricType { kCounter, kGauge };

// Label name and value pairs, e.g. {{"caller", "bank/acb"}}.
using MetricLabels = std::vector<std::pair<std::string, std::string>>;

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

  // The counter `name` with `labels`, made at the first call; the pointer
  // stays valid as long as the registry. `help` is taken from the first call
  // for a name.
  Counter* GetCounter(std::string_view name, std::string_view help,
                      const MetricLabels& labels = {});

  // A metric without labels whose value `read` gives at scrape time (for a
  // counter, a value that only grows). `read` must stay callable as long as
  // the registry is rendered.
  void AddFunction(std::string_view name, std::string_view help,
                   MetricType type, std::function<double()> read);

  // Every metric in the text format: # HELP and # TYPE lines, then one
  // sample a line, names in order.
  std::string Render() const;

 private:
  struct Family {
    std::string help;
    std::string type;  // "counter" or "gauge"
    // Rendered label set ({a="b"} or empty) -> counter.
    std::map<std::string, std::unique_ptr<Counter>> counters;
    std::function<double()> read;
  };
  mutable std::mutex mu_;
  std::map<std::string, Family, std::less<>> families_;
};

}  // namespace fraudgate::service

#endif  // FRAUDGATE_SERVICE_METRICS_H_
