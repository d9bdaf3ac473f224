#include "service/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "core/text.h"

namespace fraudgate::service {
namespace {

// name="value",... (without braces) with the text format's escapes (\\,
// \", \n).
std::string RenderLabels(const MetricLabels& labels) {
  std::string out;
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out += ',';
    out += labels[i].first;
    out += "=\"";
    for (const char c : labels[i].second) {
      if (c == '\\' || c == '"') {
        out += '\\';
        out += c;
      } else if (c == '\n') {
        out += "\\n";
      } else {
        out += c;
      }
    }
    out += '"';
  }
  return out;
}

// `inner` (rendered labels) and `extra` (one more, rendered) in braces;
// empty when both are.
std::string Braced(std::string_view inner, std::string_view extra = "") {
  if (inner.empty() && extra.empty()) return "";
  return core::StrCat("{", inner, !inner.empty() && !extra.empty() ? "," : "",
                      extra, "}");
}

std::string FormatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  // Whole numbers as integers (10, not 1e+01); others as the shortest %g
  // text that reads back as the same double (0.001, not
  // 0.0010000000000000000208).
  char text[32];
  if (value == std::trunc(value) && std::fabs(value) < 1e15) {
    std::snprintf(text, sizeof(text), "%.0f", value);
    return text;
  }
  for (int precision = 1;; ++precision) {
    std::snprintf(text, sizeof(text), "%.*g", precision, value);
    if (precision == 17 || std::strtod(text, nullptr) == value) return text;
  }
}

}  // namespace

Metrics::Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)),
      counts_(new std::atomic<int64_t>[bounds_.size() + 1]) {
  for (size_t i = 0; i <= bounds_.size(); ++i) counts_[i] = 0;
}

void Metrics::Histogram::Observe(double value) {
  const size_t bucket =
      std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  counts_[bucket].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

Metrics::Family& Metrics::FamilyOf(std::string_view name, std::string_view help,
                                   std::string_view type) {
  auto [it, added] = families_.try_emplace(std::string(name));
  if (added) {
    it->second.help = std::string(help);
    it->second.type = std::string(type);
  }
  return it->second;
}

Metrics::Counter* Metrics::GetCounter(std::string_view name,
                                      std::string_view help,
                                      const MetricLabels& labels) {
  const std::string rendered = RenderLabels(labels);
  absl::MutexLock lock(&mu_);
  std::unique_ptr<Counter>& counter =
      FamilyOf(name, help, "counter").counters[rendered];
  if (counter == nullptr) counter = std::make_unique<Counter>();
  return counter.get();
}

Metrics::Histogram* Metrics::GetHistogram(std::string_view name,
                                          std::string_view help,
                                          const MetricLabels& labels,
                                          const std::vector<double>& bounds) {
  const std::string rendered = RenderLabels(labels);
  absl::MutexLock lock(&mu_);
  Family& family = FamilyOf(name, help, "histogram");
  if (family.histograms.empty()) family.bounds = bounds;
  std::unique_ptr<Histogram>& histogram = family.histograms[rendered];
  if (histogram == nullptr) {
    histogram = std::make_unique<Histogram>(family.bounds);
  }
  return histogram.get();
}

void Metrics::AddFunction(std::string_view name, std::string_view help,
                          MetricType type, std::function<double()> read) {
  AddSamples(name, help, type, [read = std::move(read)] {
    return std::vector<Sample>{Sample{{}, read()}};
  });
}

void Metrics::AddSamples(std::string_view name, std::string_view help,
                         MetricType type,
                         std::function<std::vector<Sample>()> read) {
  absl::MutexLock lock(&mu_);
  Family& family = families_[std::string(name)];
  family.help = std::string(help);
  family.type = type == MetricType::kCounter ? "counter" : "gauge";
  family.read = std::move(read);
}

std::string Metrics::Render(bool with_callers) const {
  // Rendered labels are name="value" pairs joined by commas.
  auto shown = [with_callers](std::string_view labels) {
    return with_callers || (!labels.starts_with("caller=\"") &&
                            labels.find(",caller=\"") == std::string::npos);
  };
  absl::MutexLock lock(&mu_);
  std::string out;
  for (const auto& [name, family] : families_) {
    out += core::StrCat("# HELP ", name, " ", family.help, "\n", "# TYPE ",
                        name, " ", family.type, "\n");
    if (family.read) {
      for (const Sample& sample : family.read()) {
        const std::string labels = RenderLabels(sample.labels);
        if (!shown(labels)) continue;
        out += core::StrCat(name, Braced(labels), " ",
                            FormatValue(sample.value), "\n");
      }
    }
    for (const auto& [labels, counter] : family.counters) {
      if (!shown(labels)) continue;
      out += core::StrCat(name, Braced(labels), " ", counter->value(), "\n");
    }
    for (const auto& [labels, histogram] : family.histograms) {
      if (!shown(labels)) continue;
      int64_t cumulative = 0;
      for (size_t i = 0; i <= histogram->bounds_.size(); ++i) {
        cumulative += histogram->counts_[i].load(std::memory_order_relaxed);
        const std::string le = i < histogram->bounds_.size()
                                   ? FormatValue(histogram->bounds_[i])
                                   : std::string("+Inf");
        out += core::StrCat(name, "_bucket",
                            Braced(labels, core::StrCat("le=\"", le, "\"")),
                            " ", cumulative, "\n");
      }
      out += core::StrCat(name, "_sum", Braced(labels), " ",
                          FormatValue(histogram->sum_.load()), "\n");
      out +=
          core::StrCat(name, "_count", Braced(labels), " ", cumulative, "\n");
    }
  }
  return out;
}

}  // namespace fraudgate::service
