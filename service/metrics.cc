#include "service/metrics.h"

#include <cmath>
#include <cstdio>

#include "core/text.h"

namespace fraudgate::service {
namespace {

// {name="value",...} with the text format's escapes (\\, \", \n).
std::string RenderLabels(const MetricLabels& labels) {
  if (labels.empty()) return "";
  std::string out = "{";
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
  out += '}';
  return out;
}

std::string FormatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char text[32];
  std::snprintf(text, sizeof(text), "%.17g", value);
  return text;
}

}  // namespace

Metrics::Counter* Metrics::GetCounter(std::string_view name,
                                      std::string_view help,
                                      const MetricLabels& labels) {
  const std::string rendered = RenderLabels(labels);
  std::lock_guard<std::mutex> lock(mu_);
  auto [it, added] = families_.try_emplace(std::string(name));
  Family& family = it->second;
  if (added) {
    family.help = std::string(help);
    family.type = "counter";
  }
  std::unique_ptr<Counter>& counter = family.counters[rendered];
  if (counter == nullptr) counter = std::make_unique<Counter>();
  return counter.get();
}

void Metrics::AddFunction(std::string_view name, std::string_view help,
                          MetricType type, std::function<double()> read) {
  std::lock_guard<std::mutex> lock(mu_);
  Family& family = families_[std::string(name)];
  family.help = std::string(help);
  family.type = type == MetricType::kCounter ? "counter" : "gauge";
  family.read = std::move(read);
}

std::string Metrics::Render() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  for (const auto& [name, family] : families_) {
    out += core::StrCat("# HELP ", name, " ", family.help, "\n", "# TYPE ",
                        name, " ", family.type, "\n");
    if (family.read) {
      out += core::StrCat(name, " ", FormatValue(family.read()), "\n");
    }
    for (const auto& [labels, counter] : family.counters) {
      out += core::StrCat(name, labels, " ", counter->value(), "\n");
    }
  }
  return out;
}

}  // namespace fraudgate::service
