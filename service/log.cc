#include "service/log.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "core/text.h"

namespace fraudgate::service {
namespace {

constexpr std::string_view kLevelNames[] = {"debug", "info", "warning",
                                            "error"};

}  // namespace

std::optional<LogLevel> LogLevelFromName(std::string_view name) {
  for (int i = 0; i < 4; ++i) {
    if (name == kLevelNames[i]) return static_cast<LogLevel>(i);
  }
  return std::nullopt;
}

void LogFields::Key(std::string_view key) {
  json_.push_back(',');
  core::AppendJsonString(key, json_);
  json_.push_back(':');
}

LogFields& LogFields::Add(std::string_view key, std::string_view value) {
  Key(key);
  core::AppendJsonString(value, json_);
  return *this;
}

LogFields& LogFields::Add(std::string_view key, int64_t value) {
  Key(key);
  json_ += std::to_string(value);
  return *this;
}

LogFields& LogFields::Add(std::string_view key, double value) {
  Key(key);
  if (!std::isfinite(value)) {  // JSON has no NaN or infinity
    json_ += "null";
    return *this;
  }
  char text[32];
  std::snprintf(text, sizeof(text), "%.6g", value);
  json_ += text;
  return *this;
}

LogFields& LogFields::Add(std::string_view key, bool value) {
  Key(key);
  json_ += value ? "true" : "false";
  return *this;
}

LogFields& LogFields::Identifier(std::string_view key,
                                 const core::Identifier& id) {
  return Add(key, id.Masked());
}

Logger::Logger(std::ostream* out, LogLevel min_level,
               std::function<absl::Time()> clock, Mode mode)
    : out_(out), min_level_(min_level), clock_(std::move(clock)), mode_(mode) {
  if (mode_ != Mode::kBackground) return;
  writer_ = std::thread([this] {
    for (;;) {
      {
        absl::MutexLock lock(&mu_);
        mu_.AwaitWithTimeout(absl::Condition(this, &Logger::HasUrgentWork),
                             absl::Milliseconds(100));
        if (stop_) return;
      }
      Flush();
    }
  });
}

Logger::~Logger() {
  if (writer_.joinable()) {
    {
      absl::MutexLock lock(&mu_);
      stop_ = true;
    }
    writer_.join();
  }
  Flush();
}

Logger& Logger::Default() {
  static Logger* const logger = [] {
    auto* made = new Logger(
        &std::cerr, LogLevel::kInfo, [] { return absl::Now(); },
        Mode::kBackground);
    std::atexit([] { Default().Flush(); });
    return made;
  }();
  return *logger;
}

void Logger::Log(LogLevel level, std::string_view event,
                 const LogFields& fields) {
  if (!Enabled(level)) return;
  std::string line = "{\"time\":\"";
  line +=
      absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", clock_(), absl::UTCTimeZone());
  line += "\",\"level\":\"";
  line += kLevelNames[static_cast<int>(level)];
  line += "\",\"event\":";
  core::AppendJsonString(event, line);
  line += fields.json();
  line += "}\n";
  if (mode_ == Mode::kDirect) {
    absl::MutexLock lock(&write_mu_);
    *out_ << line << std::flush;
    return;
  }
  {
    absl::MutexLock lock(&mu_);
    if (queue_.size() + line.size() > kMaxQueuedBytes) {
      dropped_.fetch_add(1);
      return;
    }
    queue_ += line;
    if (level == LogLevel::kWarning) urgent_ = true;
  }
  // An error may come just before the process ends: written now.
  if (level >= LogLevel::kError) Flush();
}

void Logger::Flush() {
  absl::MutexLock write(&write_mu_);
  std::string lines;
  {
    absl::MutexLock lock(&mu_);
    lines.swap(queue_);
    urgent_ = false;
  }
  if (!lines.empty()) *out_ << lines << std::flush;
}

}  // namespace fraudgate::service
