// fraudgate-bench: the load generator of DESIGN §8 for ScreenTransfer.
//
//   fraudgate-bench run [--server=HOST:PORT] (--insecure | --tls-dir=DIR
//       [--role=bank]) [--mode=closed|open] [--rate=N] [--concurrency=N]
//       [--channels=N] [--duration=S] [--warmup=S] [--population=N]
//       [--listed-share=F] [--seed=N] [--report-every=S]
//       [--method=screen|health] [--format=table|json]
//   fraudgate-bench blocklist [--population=N] [--listed-share=F] > listed.csv
//
// `run` sends ScreenTransfer calls with the callback API over --channels
// separate channels (separate connections) and counts every response by
// status code and decision. Closed loop (--mode=closed): each channel keeps
// --concurrency calls outstanding, for the most throughput. Open loop
// (--mode=open): calls are sent at --rate a second on a fixed schedule, and
// each latency is measured from the call's intended send time, so a stall
// of the server (or of this client) counts in full for every call it delays
// (no coordinated omission); every call scheduled after the --warmup
// seconds counts, however late it completes. In closed loop, calls
// completing after the warm-up count. Transfers go to beneficiaries drawn at
// random from the synthetic population (population.h); `blocklist` writes the
// police CSV that lists its --listed-share, to import first. With
// --report-every=S, a line is printed every S seconds with what was counted
// in those S seconds (calls completed, errors by code, percentiles), for
// long runs such as tests/soak/run.sh; the summary follows at the end.
// --method=health sends grpc.health.v1.Health/Check instead, the same way:
// the reference for what the RPC alone costs on the same server
// (bench/compare.sh's ratio).
#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bench/latency_histogram.h"
#include "bench/population.h"
#include "bench/transfers.h"
#include "cli/client.h"
#include "cli/flags.h"
#include "core/text.h"
#include "fraudgate/v1/fraudgate.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace fraudgate::bench {
namespace {

using cli::Flags;
using cli::FlagSpec;

struct Config {
  // Health/Check instead of ScreenTransfer.
  bool health = false;
  bool open_loop = false;
  double rate = 0;
  int concurrency = 0;
  int channels = 0;
  absl::Duration duration;
  absl::Duration warmup;
  int64_t seed = 0;
  // Zero: no interval lines, only the summary.
  absl::Duration report_every;
};

// The counts of a Tally (and the runner's late sends) at one moment; the
// difference of two is what was counted in between.
struct Counts {
  LatencyHistogram::Snapshot latency;
  std::array<uint64_t, 8> decisions{};
  std::map<int, uint64_t> errors;
  uint64_t late_sends = 0;
  // The message of the last error counted so far.
  std::string last_error;

  uint64_t error_count() const {
    uint64_t n = 0;
    for (const auto& [code, count] : errors) n += count;
    return n;
  }
};

// What was counted in [from, to), one interval of --report-every.
struct Interval {
  int64_t index = 0;  // 1, 2, ...
  absl::Time from, to;
  Counts counts;
};

// Everything a run counts. Thread-safe.
class Tally {
 public:
  void Add(const grpc::Status& status, const v1::ScreenTransferResponse& r,
           int64_t micros, bool measured) {
    if (!measured) {
      warmup_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    if (status.ok()) {
      latency_.Record(micros);
      decisions_[r.decision() & 7].fetch_add(1, std::memory_order_relaxed);
      return;
    }
    std::lock_guard<std::mutex> lock(mu_);
    ++errors_[status.error_code()];
    last_error_ =
        core::StrCat(status.error_code(), ": ", status.error_message());
    if (first_error_.empty()) first_error_ = last_error_;
  }

  // The counts now (late_sends left 0), while calls go on being counted.
  Counts Take() const {
    Counts c;
    c.latency = latency_.Take();
    for (size_t d = 0; d < c.decisions.size(); ++d) {
      c.decisions[d] = decisions_[d].load(std::memory_order_relaxed);
    }
    std::lock_guard<std::mutex> lock(mu_);
    c.errors = errors_;
    c.last_error = last_error_;
    return c;
  }

  const LatencyHistogram& latency() const { return latency_; }
  uint64_t decisions(v1::Decision d) const { return decisions_[d & 7].load(); }
  uint64_t warmup() const { return warmup_.load(); }
  std::map<int, uint64_t> errors() const {
    std::lock_guard<std::mutex> lock(mu_);
    return errors_;
  }
  uint64_t error_count() const {
    uint64_t n = 0;
    for (const auto& [code, count] : errors()) n += count;
    return n;
  }
  std::string first_error() const {
    std::lock_guard<std::mutex> lock(mu_);
    return first_error_;
  }

 private:
  LatencyHistogram latency_;
  std::atomic<uint64_t> decisions_[8] = {};
  std::atomic<uint64_t> warmup_{0};
  mutable std::mutex mu_;
  std::map<int, uint64_t> errors_;
  std::string first_error_;
  std::string last_error_;
};

// What was counted between `earlier` and `later` (taken in that order).
Counts Minus(const Counts& later, const Counts& earlier) {
  Counts d;
  d.latency = later.latency - earlier.latency;
  for (size_t i = 0; i < d.decisions.size(); ++i) {
    d.decisions[i] = later.decisions[i] - earlier.decisions[i];
  }
  for (const auto& [code, count] : later.errors) {
    const auto before = earlier.errors.find(code);
    const uint64_t n =
        count - (before == earlier.errors.end() ? 0 : before->second);
    if (n > 0) d.errors[code] = n;
  }
  d.late_sends = later.late_sends - earlier.late_sends;
  if (!d.errors.empty()) d.last_error = later.last_error;
  return d;
}

// One call in flight; deletes itself when done.
struct Call {
  grpc::ClientContext context;
  v1::ScreenTransferRequest request;
  v1::ScreenTransferResponse response;
  grpc::health::v1::HealthCheckRequest health_request;
  grpc::health::v1::HealthCheckResponse health_response;
  absl::Time intended;  // open loop: the schedule's time; closed: send time
};

class Runner {
 public:
  // `on_interval` is called every config.report_every (when set) from a
  // thread of its own, and once more for the rest of the run when it ends.
  Runner(const Config& config,
         std::vector<std::shared_ptr<grpc::Channel>> channels,
         Transfers* transfers, std::function<void(const Interval&)> on_interval)
      : config_(config),
        channels_(std::move(channels)),
        transfers_(transfers),
        on_interval_(std::move(on_interval)) {
    for (const auto& channel : channels_) {
      stubs_.push_back(v1::ScreeningService::NewStub(channel));
      health_stubs_.push_back(grpc::health::v1::Health::NewStub(channel));
    }
  }

  void Run() {
    start_ = absl::Now();
    measure_from_ = start_ + config_.warmup;
    end_ = measure_from_ + config_.duration;
    std::thread reporter;
    if (config_.report_every > absl::ZeroDuration()) {
      reporter = std::thread([this] { ReportIntervals(); });
    }
    if (config_.open_loop) {
      RunOpen();
    } else {
      RunClosed();
    }
    {
      std::unique_lock<std::mutex> lock(mu_);
      idle_.wait(lock, [this] { return outstanding_ == 0; });
      finished_ = true;
    }
    finished_cv_.notify_all();
    if (reporter.joinable()) reporter.join();
  }

  const Tally& tally() const { return tally_; }
  uint64_t late_sends() const { return late_sends_.load(); }

 private:
  Counts Take() const {
    Counts c = tally_.Take();
    c.late_sends = late_sends_.load();
    return c;
  }

  // Hands on_interval_ what was counted in each report_every since the start
  // (by when calls were counted, i.e. completed), until the run is finished;
  // the last interval ends then, so it may be shorter.
  void ReportIntervals() {
    Counts before = Take();
    absl::Time from = start_;
    for (int64_t k = 1;; ++k) {
      const absl::Time until = start_ + config_.report_every * k;
      bool finished;
      {
        std::unique_lock<std::mutex> lock(mu_);
        finished = finished_cv_.wait_until(lock, absl::ToChronoTime(until),
                                           [this] { return finished_; });
      }
      const absl::Time to = finished ? absl::Now() : until;
      Counts now = Take();
      Interval interval{k, from, to, Minus(now, before)};
      if (!finished || interval.counts.latency.count() > 0 ||
          !interval.counts.errors.empty()) {
        on_interval_(interval);
      }
      if (finished) return;
      before = std::move(now);
      from = to;
    }
  }

  void Send(size_t channel, absl::Time intended, bool closed_loop,
            std::mt19937_64& rng) {
    auto* call = new Call;
    if (!config_.health) call->request = transfers_->Next(rng);
    call->intended = intended;
    call->context.set_deadline(std::chrono::system_clock::now() +
                               std::chrono::seconds(30));
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++outstanding_;
    }
    auto on_done = [this, call, channel, closed_loop](grpc::Status status) {
      const absl::Time done = absl::Now();
      // Closed loop: what completes in the window. Open loop: every call
      // scheduled in the window, however late it completes, so a backlog at
      // the end counts in full.
      const absl::Time at = closed_loop ? done : call->intended;
      tally_.Add(status, call->response,
                 absl::ToInt64Microseconds(done - call->intended),
                 at >= measure_from_ && at < end_);
      delete call;
      if (closed_loop && done < end_) {
        thread_local std::mt19937_64 rng(std::random_device{}());
        Send(channel, absl::Now(), true, rng);
      }
      std::lock_guard<std::mutex> lock(mu_);
      if (--outstanding_ == 0) idle_.notify_all();
    };
    if (config_.health) {
      health_stubs_[channel]->async()->Check(&call->context,
                                             &call->health_request,
                                             &call->health_response, on_done);
    } else {
      stubs_[channel]->async()->ScreenTransfer(&call->context, &call->request,
                                               &call->response, on_done);
    }
  }

  void RunClosed() {
    std::mt19937_64 rng(config_.seed);
    for (int c = 0; c < config_.channels; ++c) {
      for (int k = 0; k < config_.concurrency; ++k) {
        Send(c, absl::Now(), true, rng);
      }
    }
    absl::SleepFor(end_ - absl::Now());
  }

  void RunOpen() {
    std::mt19937_64 rng(config_.seed);
    const absl::Duration interval = absl::Seconds(1) / config_.rate;
    for (int64_t k = 0;; ++k) {
      const absl::Time intended = start_ + interval * k;
      if (intended >= end_) break;
      // Never early; sleeping (not spinning) leaves the CPU to the callback
      // threads. Lateness is in the figures: latency counts from `intended`.
      absl::Time now = absl::Now();
      if (now < intended) {
        absl::SleepFor(intended - now);
        now = absl::Now();
      }
      if (now - intended > absl::Milliseconds(1)) late_sends_.fetch_add(1);
      Send(static_cast<size_t>(k % config_.channels), intended, false, rng);
    }
  }

  const Config config_;
  const std::vector<std::shared_ptr<grpc::Channel>> channels_;
  std::vector<std::unique_ptr<v1::ScreeningService::Stub>> stubs_;
  std::vector<std::unique_ptr<grpc::health::v1::Health::Stub>> health_stubs_;
  Transfers* const transfers_;
  const std::function<void(const Interval&)> on_interval_;
  Tally tally_;
  absl::Time start_, measure_from_, end_;
  std::atomic<uint64_t> late_sends_{0};
  std::mutex mu_;
  std::condition_variable idle_;
  int64_t outstanding_ = 0;
  std::condition_variable finished_cv_;
  bool finished_ = false;  // guarded by mu_
};

std::vector<FlagSpec> PopulationFlags() {
  return {{"population", "1000000", "distinct beneficiaries"},
          {"listed-share", "0.01", "share of the population that is listed"}};
}

absl::StatusOr<Population> PopulationOf(const Flags& flags) {
  auto size = flags.GetInt("population");
  if (!size.ok()) return size.status();
  double share = 0;
  if (!absl::SimpleAtod(flags.Get("listed-share"), &share) || share < 0 ||
      share > 1) {
    return absl::InvalidArgumentError(
        "--listed-share: a number between 0 and 1");
  }
  if (*size < 1) return absl::InvalidArgumentError("--population: >= 1");
  return Population(*size, share);
}

int Blocklist(const std::vector<std::string>& args) {
  auto flags = Flags::Parse(args, PopulationFlags());
  if (!flags.ok()) {
    std::cerr << "fraudgate-bench blocklist: " << flags.status().message()
              << "\n";
    return 2;
  }
  auto population = PopulationOf(*flags);
  if (!population.ok()) {
    std::cerr << "fraudgate-bench blocklist: " << population.status().message()
              << "\n";
    return 2;
  }
  std::string out = Population::CsvHeader();
  for (int64_t i = 0; i < population->size(); ++i) {
    if (!population->IsListed(i)) continue;
    out += population->CsvRow(i);
    if (out.size() > (1 << 20)) {
      std::fwrite(out.data(), 1, out.size(), stdout);
      out.clear();
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return std::fflush(stdout) == 0 ? 0 : 1;
}

absl::StatusOr<Config> ConfigOf(const Flags& flags) {
  Config c;
  const std::string mode = flags.Get("mode");
  if (mode != "open" && mode != "closed") {
    return absl::InvalidArgumentError("--mode: open or closed");
  }
  c.open_loop = mode == "open";
  const std::string method = flags.Get("method");
  if (method != "screen" && method != "health") {
    return absl::InvalidArgumentError("--method: screen or health");
  }
  c.health = method == "health";
  auto rate = flags.GetInt("rate");
  auto concurrency = flags.GetInt("concurrency");
  auto channels = flags.GetInt("channels");
  auto duration = flags.GetInt("duration");
  auto warmup = flags.GetInt("warmup");
  auto seed = flags.GetInt("seed");
  auto report_every = flags.GetInt("report-every");
  for (const auto* v : {&rate, &concurrency, &channels, &duration, &warmup,
                        &seed, &report_every}) {
    if (!v->ok()) return v->status();
  }
  if (c.open_loop && *rate < 1)
    return absl::InvalidArgumentError("--rate: >= 1");
  if (*concurrency < 1)
    return absl::InvalidArgumentError("--concurrency: >= 1");
  if (*channels < 1) return absl::InvalidArgumentError("--channels: >= 1");
  if (*duration < 1) return absl::InvalidArgumentError("--duration: >= 1");
  if (*warmup < 0) return absl::InvalidArgumentError("--warmup: >= 0");
  if (*report_every < 0) {
    return absl::InvalidArgumentError("--report-every: >= 0");
  }
  c.rate = static_cast<double>(*rate);
  c.concurrency = static_cast<int>(*concurrency);
  c.channels = static_cast<int>(*channels);
  c.duration = absl::Seconds(*duration);
  c.warmup = absl::Seconds(*warmup);
  c.seed = *seed;
  c.report_every = absl::Seconds(*report_every);
  return c;
}

// One line for an interval of --report-every: JSON (times as Unix seconds;
// max_ms is the upper bound of the highest bucket, at most ~3% above the
// largest latency) or text. Flushed, so a reader of a pipe or file sees it.
void PrintInterval(const Interval& interval, bool json) {
  const Counts& c = interval.counts;
  const LatencyHistogram::Snapshot& h = c.latency;
  const double seconds = absl::ToDoubleSeconds(interval.to - interval.from);
  auto ms = [](uint64_t micros) { return static_cast<double>(micros) / 1000; };
  auto unix_seconds = [](absl::Time t) {
    return static_cast<double>(absl::ToUnixMillis(t)) / 1000;
  };
  auto n = [](uint64_t v) { return static_cast<unsigned long long>(v); };
  if (json) {
    std::string codes;
    for (const auto& [code, count] : c.errors) {
      codes += core::StrCat(codes.empty() ? "" : ",", "\"", code, "\":", count);
    }
    std::string last_error;
    if (!c.last_error.empty()) {
      last_error = ",\"last_error\":";
      core::AppendJsonString(c.last_error, last_error);
    }
    std::printf(
        "{\"interval\":%lld,\"from\":%.3f,\"to\":%.3f,\"seconds\":%.3f,"
        "\"ok\":%llu,\"errors\":%llu,\"error_codes\":{%s},"
        "\"ok_per_second\":%.1f,\"allow\":%llu,\"warn\":%llu,\"hold\":%llu,"
        "\"block\":%llu,\"p50_ms\":%.3f,\"p90_ms\":%.3f,\"p99_ms\":%.3f,"
        "\"p999_ms\":%.3f,\"max_ms\":%.3f,\"late_sends\":%llu%s}\n",
        static_cast<long long>(interval.index), unix_seconds(interval.from),
        unix_seconds(interval.to), seconds, n(h.count()), n(c.error_count()),
        codes.c_str(),
        seconds > 0 ? static_cast<double>(h.count()) / seconds : 0.0,
        n(c.decisions[v1::DECISION_ALLOW]), n(c.decisions[v1::DECISION_WARN]),
        n(c.decisions[v1::DECISION_HOLD]), n(c.decisions[v1::DECISION_BLOCK]),
        ms(h.Percentile(0.5)), ms(h.Percentile(0.9)), ms(h.Percentile(0.99)),
        ms(h.Percentile(0.999)), ms(h.MaxBound()), n(c.late_sends),
        last_error.c_str());
  } else {
    std::printf(
        "interval %lld (%.0f s): ok %llu, errors %llu, latency ms p50 %.3f "
        "p99 %.3f max %.3f\n",
        static_cast<long long>(interval.index), seconds, n(h.count()),
        n(c.error_count()), ms(h.Percentile(0.5)), ms(h.Percentile(0.99)),
        ms(h.MaxBound()));
    for (const auto& [code, count] : c.errors) {
      std::printf("  code %d: %llu\n", code, n(count));
    }
    if (!c.last_error.empty()) {
      std::printf("  last error: %s\n", c.last_error.c_str());
    }
  }
  std::fflush(stdout);
}

void Print(const Config& config, const Runner& runner, bool json) {
  const Tally& t = runner.tally();
  const LatencyHistogram& h = t.latency();
  const double seconds = absl::ToDoubleSeconds(config.duration);
  const double ok_per_second = static_cast<double>(h.count()) / seconds;
  auto ms = [](uint64_t micros) { return static_cast<double>(micros) / 1000; };
  const uint64_t errors = t.error_count();
  if (json) {
    std::string codes;
    for (const auto& [code, count] : t.errors()) {
      codes += core::StrCat(codes.empty() ? "" : ",", "\"", code, "\":", count);
    }
    std::printf(
        "{\"method\":\"%s\",\"mode\":\"%s\",\"rate\":%.0f,\"channels\":%d,"
        "\"concurrency\":%d,"
        "\"seconds\":%.0f,\"ok\":%llu,\"errors\":%llu,\"error_codes\":{%s},"
        "\"ok_per_second\":%.1f,\"allow\":%llu,\"warn\":%llu,\"hold\":%llu,"
        "\"block\":%llu,\"p50_ms\":%.3f,\"p90_ms\":%.3f,\"p99_ms\":%.3f,"
        "\"p999_ms\":%.3f,\"max_ms\":%.3f,\"late_sends\":%llu}\n",
        config.health ? "health" : "screen",
        config.open_loop ? "open" : "closed", config.rate, config.channels,
        config.concurrency, seconds, static_cast<unsigned long long>(h.count()),
        static_cast<unsigned long long>(errors), codes.c_str(), ok_per_second,
        static_cast<unsigned long long>(t.decisions(v1::DECISION_ALLOW)),
        static_cast<unsigned long long>(t.decisions(v1::DECISION_WARN)),
        static_cast<unsigned long long>(t.decisions(v1::DECISION_HOLD)),
        static_cast<unsigned long long>(t.decisions(v1::DECISION_BLOCK)),
        ms(h.Percentile(0.5)), ms(h.Percentile(0.9)), ms(h.Percentile(0.99)),
        ms(h.Percentile(0.999)), ms(h.max()),
        static_cast<unsigned long long>(runner.late_sends()));
    return;
  }
  std::printf("%s, mode %s", config.health ? "Health/Check" : "ScreenTransfer",
              config.open_loop ? "open" : "closed");
  if (config.open_loop) std::printf(", %.0f/s", config.rate);
  std::printf(", %d channels", config.channels);
  if (!config.open_loop) std::printf(" x %d outstanding", config.concurrency);
  std::printf(", %.0f s measured\n", seconds);
  std::printf("ok %llu (%.0f/s), errors %llu\n",
              static_cast<unsigned long long>(h.count()), ok_per_second,
              static_cast<unsigned long long>(errors));
  for (const auto& [code, count] : t.errors()) {
    std::printf("  code %d: %llu\n", code,
                static_cast<unsigned long long>(count));
  }
  if (errors > 0) std::printf("  first error: %s\n", t.first_error().c_str());
  std::printf("decisions: ALLOW %llu, WARN %llu, HOLD %llu, BLOCK %llu\n",
              static_cast<unsigned long long>(t.decisions(v1::DECISION_ALLOW)),
              static_cast<unsigned long long>(t.decisions(v1::DECISION_WARN)),
              static_cast<unsigned long long>(t.decisions(v1::DECISION_HOLD)),
              static_cast<unsigned long long>(t.decisions(v1::DECISION_BLOCK)));
  std::printf(
      "latency ms: p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f%s\n",
      ms(h.Percentile(0.5)), ms(h.Percentile(0.9)), ms(h.Percentile(0.99)),
      ms(h.Percentile(0.999)), ms(h.max()),
      config.open_loop ? "  (from intended send time)" : "");
  if (runner.late_sends() > 0) {
    std::printf("client fell behind its schedule (> 1 ms) on %llu sends\n",
                static_cast<unsigned long long>(runner.late_sends()));
  }
}

int Run(const std::vector<std::string>& args) {
  std::vector<FlagSpec> extra = {
      {"mode", "closed", "closed (most throughput) or open (fixed rate)"},
      {"rate", "10000", "open loop: calls a second"},
      {"concurrency", "32", "closed loop: outstanding calls per channel"},
      {"channels", "4", "separate connections"},
      {"duration", "10", "measured seconds"},
      {"warmup", "2", "seconds before measuring"},
      {"seed", "1",
       "random seed of the beneficiary choice (open loop; the closed loop's "
       "later calls use per-thread seeds)"},
      {"report-every", "0",
       "also print what completed in every S seconds (0: only the summary)"},
      {"method", "screen",
       "screen (ScreenTransfer) or health (grpc.health.v1.Health/Check, the "
       "RPC alone)"},
  };
  for (FlagSpec& f : PopulationFlags()) extra.push_back(std::move(f));
  const std::vector<FlagSpec> specs = cli::ClientFlags("bank", extra);
  auto flags = Flags::Parse(args, specs);
  if (!flags.ok()) {
    std::cerr << "fraudgate-bench run: " << flags.status().message() << "\n";
    return 2;
  }
  auto config = ConfigOf(*flags);
  auto population = PopulationOf(*flags);
  auto format = cli::FormatOf(*flags);
  for (const absl::Status& s :
       {config.status(), population.status(), format.status()}) {
    if (!s.ok()) {
      std::cerr << "fraudgate-bench run: " << s.message() << "\n";
      return 2;
    }
  }
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int c = 0; c < config->channels; ++c) {
    grpc::ChannelArguments channel_args;
    // A distinct argument per channel: gRPC then opens a connection for each
    // instead of sharing one subchannel.
    channel_args.SetInt("fraudgate.bench.channel", c);
    auto channel = cli::Connect(*flags, channel_args);
    if (!channel.ok()) {
      std::cerr << "fraudgate-bench run: " << channel.status().message()
                << "\n";
      return 2;
    }
    channels.push_back(*std::move(channel));
  }
  Transfers transfers(&*population, config->seed);
  const bool json = *format == cli::Format::kJson;
  Runner runner(
      *config, std::move(channels), &transfers,
      [json](const Interval& interval) { PrintInterval(interval, json); });
  runner.Run();
  Print(*config, runner, json);
  return runner.tally().error_count() == 0 ? 0 : 1;
}

}  // namespace
}  // namespace fraudgate::bench

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + std::min(argc, 2), argv + argc);
  const std::string command = argc >= 2 ? argv[1] : "";
  if (command == "run") return fraudgate::bench::Run(args);
  if (command == "blocklist") return fraudgate::bench::Blocklist(args);
  std::cerr << "usage: fraudgate-bench run|blocklist [--flags]\n"
               "  run        screen transfers against a server, print "
               "throughput and latency\n"
               "  blocklist  write the police CSV listing part of the "
               "population\n";
  return 2;
}
