// Structured logs: one JSON object a line,
//   {"time":"2026-11-29T08:15:02.114Z","level":"warning","event":"probe_suspected",
//    "caller":"bank/acb-hub","novel_beneficiaries":1000,...}
// with the time in UTC, a level, an event name (snake_case, stable: alerting
// keys on it) and the event's fields in the order given.
//
// No personal data: identifiers go into a line only through
// LogFields::Identifier, which writes core::Identifier::Masked() (last three
// characters kept). There is no way to log an identifier in clear.
//
// Thread safety: Logger::Log and Flush may be called from any thread; each
// line is written whole, lines in the order they were logged.
#ifndef FRAUDGATE_SERVICE_LOG_H_
#define FRAUDGATE_SERVICE_LOG_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "core/identifier.h"

namespace fraudgate::service {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

// "debug", "info", "warning", "error"; nullopt for anything else.
std::optional<LogLevel> LogLevelFromName(std::string_view name);

// The fields of one line, JSON-encoded as they are added
// (core::AppendJsonString: strings that are not valid UTF-8 have their
// non-ASCII bytes replaced by '?').
class LogFields {
 public:
  LogFields& Add(std::string_view key, std::string_view value);
  LogFields& Add(std::string_view key, const char* value) {
    return Add(key, std::string_view(value));
  }
  LogFields& Add(std::string_view key, int64_t value);
  LogFields& Add(std::string_view key, int value) {
    return Add(key, static_cast<int64_t>(value));
  }
  LogFields& Add(std::string_view key, double value);
  LogFields& Add(std::string_view key, bool value);
  // The identifier masked (core::Identifier::Masked).
  LogFields& Identifier(std::string_view key, const core::Identifier& id);

  // `,"key":value...` for each field; empty when there is none.
  const std::string& json() const { return json_; }

 private:
  void Key(std::string_view key);
  std::string json_;
};

class Logger {
 public:
  // How lines reach `out`.
  enum class Mode {
    // Written by the calling thread before Log returns.
    kDirect,
    // Queued and written by a background thread, at least every 100 ms and
    // at once for warnings, so Log never waits for `out` (a slow pipe must
    // not slow screening); an error line is written, with what is queued,
    // before Log returns. While more than kMaxQueuedBytes wait, further
    // lines are dropped and counted (dropped()).
    kBackground,
  };
  static constexpr size_t kMaxQueuedBytes = 4 << 20;

  // Writes to `out`, which must outlive the logger; lines below `min_level`
  // are dropped. `clock` stamps the lines.
  explicit Logger(
      std::ostream* out, LogLevel min_level = LogLevel::kInfo,
      std::function<absl::Time()> clock = [] { return absl::Now(); },
      Mode mode = Mode::kDirect);
  // Writes what is queued.
  ~Logger();

  // The process's logger: stderr, info and above, kBackground. Never
  // destroyed; what is queued is written at exit().
  static Logger& Default();

  void set_min_level(LogLevel level) { min_level_.store(level); }
  bool Enabled(LogLevel level) const { return level >= min_level_.load(); }

  void Log(LogLevel level, std::string_view event,
           const LogFields& fields = {});

  // Writes every line logged before the call.
  void Flush();
  // Lines dropped because the queue was full (kBackground).
  int64_t dropped() const { return dropped_.load(); }

 private:
  bool HasUrgentWork() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return stop_ || urgent_;
  }

  std::ostream* const out_;
  std::atomic<LogLevel> min_level_;
  const std::function<absl::Time()> clock_;
  const Mode mode_;
  std::atomic<int64_t> dropped_{0};
  // Held from taking the queue until it is written, so lines keep their
  // order whoever writes them.
  absl::Mutex write_mu_;
  absl::Mutex mu_;
  std::string queue_ ABSL_GUARDED_BY(mu_);
  bool urgent_ ABSL_GUARDED_BY(mu_) = false;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread writer_;
};

}  // namespace fraudgate::service

#endif  // FRAUDGATE_SERVICE_LOG_H_
