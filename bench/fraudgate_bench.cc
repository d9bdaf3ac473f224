// fraudgate-bench: the load generator of DESIGN §8 for ScreenTransfer.
//
//   fraudgate-bench run [--server=HOST:PORT] (--insecure | --tls-dir=DIR
//       [--role=bank]) [--mode=closed|open] [--rate=N] [--concurrency=N]
//       [--channels=N] [--duration=S] [--warmup=S] [--population=N]
//       [--listed-share=F] [--seed=N] [--format=table|json]
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
// police CSV that lists its --listed-share, to import first.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
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
#include "grpcpp/grpcpp.h"

namespace fraudgate::bench {
namespace {

using cli::Flags;
using cli::FlagSpec;

struct Config {
  bool open_loop = false;
  double rate = 0;
  int concurrency = 0;
  int channels = 0;
  absl::Duration duration;
  absl::Duration warmup;
  int64_t seed = 0;
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
    if (first_error_.empty()) {
      first_error_ =
          core::StrCat(status.error_code(), ": ", status.error_message());
    }
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
};

// One call in flight; deletes itself when done.
struct Call {
  grpc::ClientContext context;
  v1::ScreenTransferRequest request;
  v1::ScreenTransferResponse response;
  absl::Time intended;  // open loop: the schedule's time; closed: send time
};

class Runner {
 public:
  Runner(const Config& config,
         std::vector<std::unique_ptr<v1::ScreeningService::Stub>> stubs,
         Transfers* transfers)
      : config_(config), stubs_(std::move(stubs)), transfers_(transfers) {}

  void Run() {
    start_ = absl::Now();
    measure_from_ = start_ + config_.warmup;
    end_ = measure_from_ + config_.duration;
    if (config_.open_loop) {
      RunOpen();
    } else {
      RunClosed();
    }
    std::unique_lock<std::mutex> lock(mu_);
    idle_.wait(lock, [this] { return outstanding_ == 0; });
  }

  const Tally& tally() const { return tally_; }
  uint64_t late_sends() const { return late_sends_.load(); }

 private:
  void Send(size_t channel, absl::Time intended, bool closed_loop,
            std::mt19937_64& rng) {
    auto* call = new Call;
    call->request = transfers_->Next(rng);
    call->intended = intended;
    call->context.set_deadline(std::chrono::system_clock::now() +
                               std::chrono::seconds(30));
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++outstanding_;
    }
    stubs_[channel]->async()->ScreenTransfer(
        &call->context, &call->request, &call->response,
        [this, call, channel, closed_loop](grpc::Status status) {
          const absl::Time done = absl::Now();
          // Closed loop: what completes in the window. Open loop: every call
          // scheduled in the window, however late it completes, so a backlog
          // at the end counts in full.
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
        });
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
  std::vector<std::unique_ptr<v1::ScreeningService::Stub>> stubs_;
  Transfers* const transfers_;
  Tally tally_;
  absl::Time start_, measure_from_, end_;
  std::atomic<uint64_t> late_sends_{0};
  std::mutex mu_;
  std::condition_variable idle_;
  int64_t outstanding_ = 0;
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
  auto rate = flags.GetInt("rate");
  auto concurrency = flags.GetInt("concurrency");
  auto channels = flags.GetInt("channels");
  auto duration = flags.GetInt("duration");
  auto warmup = flags.GetInt("warmup");
  auto seed = flags.GetInt("seed");
  for (const auto* v :
       {&rate, &concurrency, &channels, &duration, &warmup, &seed}) {
    if (!v->ok()) return v->status();
  }
  if (c.open_loop && *rate < 1)
    return absl::InvalidArgumentError("--rate: >= 1");
  if (*concurrency < 1)
    return absl::InvalidArgumentError("--concurrency: >= 1");
  if (*channels < 1) return absl::InvalidArgumentError("--channels: >= 1");
  if (*duration < 1) return absl::InvalidArgumentError("--duration: >= 1");
  if (*warmup < 0) return absl::InvalidArgumentError("--warmup: >= 0");
  c.rate = static_cast<double>(*rate);
  c.concurrency = static_cast<int>(*concurrency);
  c.channels = static_cast<int>(*channels);
  c.duration = absl::Seconds(*duration);
  c.warmup = absl::Seconds(*warmup);
  c.seed = *seed;
  return c;
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
        "{\"mode\":\"%s\",\"rate\":%.0f,\"channels\":%d,\"concurrency\":%d,"
        "\"seconds\":%.0f,\"ok\":%llu,\"errors\":%llu,\"error_codes\":{%s},"
        "\"ok_per_second\":%.1f,\"allow\":%llu,\"warn\":%llu,\"hold\":%llu,"
        "\"block\":%llu,\"p50_ms\":%.3f,\"p90_ms\":%.3f,\"p99_ms\":%.3f,"
        "\"p999_ms\":%.3f,\"max_ms\":%.3f,\"late_sends\":%llu}\n",
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
  std::printf("mode %s", config.open_loop ? "open" : "closed");
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
  std::vector<std::unique_ptr<v1::ScreeningService::Stub>> stubs;
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
    stubs.push_back(v1::ScreeningService::NewStub(*channel));
  }
  Transfers transfers(&*population, config->seed);
  Runner runner(*config, std::move(stubs), &transfers);
  runner.Run();
  Print(*config, runner, *format == cli::Format::kJson);
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
