// screening_bench: the in-process screening path against raw RocksDB reads
// of the same keys (issue 6), with Google Benchmark, on a loaded data dir.
//
//   screening_bench --data=DIR [--population=N] [--listed-share=F]
//       [Google Benchmark flags, e.g. --benchmark_min_time=2]
//
// DIR is a data dir loaded as bench/compare.sh loads it (police rows plus
// `fraudgate-bench blocklist`); it is written to (hit records), so give it a
// copy. Transfers go to random beneficiaries of the same population as
// fraudgate-bench run. Each iteration is one screening's worth of work:
//   RocksDbGet       two Gets: the account at its bank, and under "*"
//   RocksDbMultiGet  one MultiGet of the same two keys
//   Lookup           BlocklistStore::Lookup of them (consistent list version,
//                    entities parsed)
//   Prepare          Screener::Prepare: validate, normalize, look up, score,
//                    build the record; everything before the write
//   RecordHit        HitStore::PutIfAbsent of a new screening record
//   Screen           Screener::Screen: validate, normalize, look up, score,
//                    record; everything but gRPC
//   ScreenAsync/real_time/threads:2
//                    Screener::ScreenAsync on two threads at once, each
//                    keeping 64 screenings outstanding and making its
//                    requests in the timing; items_per_second is screenings
//                    a second of both together (run it on two CPUs)
//   MakeRequest      making one request (bench/transfers.h), to subtract
// The raw reads open the database through store::Db, with the options the
// server uses (bloom filters, block cache), so the comparison is of code, not
// of tuning; they run first, and the database is closed before the store
// opens it.
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "bench/population.h"
#include "bench/transfers.h"
#include "core/normalize.h"
#include "core/text.h"
#include "service/screener.h"
#include "store/db.h"
#include "store/store.h"

namespace fraudgate::bench {
namespace {

constexpr size_t kKeySets = 1 << 16;

struct Flags {
  std::string data;
  int64_t population = 1'000'000;
  double listed_share = 0.01;
};

// The two entity keys a screening of beneficiary `b` looks up.
std::vector<std::string> KeysOf(const Beneficiary& b) {
  auto id = core::NormalizeIdentifier(core::IdentifierKind::kBankAccount,
                                      b.bank, b.account, {"bank", "account"});
  if (!id.ok()) {
    std::cerr << "screening_bench: " << id.status().message() << "\n";
    std::exit(2);
  }
  core::Identifier any = *id;
  any.issuer = std::string(core::kAnyBank);
  return {id->Key(), any.Key()};
}

// Key sets of random beneficiaries, made before any timing.
std::vector<std::vector<std::string>> RandomKeySets(const Population& p) {
  std::mt19937_64 rng(7);
  std::vector<std::vector<std::string>> sets;
  sets.reserve(kKeySets);
  for (size_t i = 0; i < kKeySets; ++i) {
    sets.push_back(KeysOf(
        p.At(static_cast<int64_t>(rng() % static_cast<uint64_t>(p.size())))));
  }
  return sets;
}

void Fail(benchmark::State& state, std::string_view what) {
  state.SkipWithError(std::string(what).c_str());
}

// Opens the existing data dir with `Open` (store::Db or store::Store), or
// exits naming the failure.
template <typename T>
std::unique_ptr<T> OpenOrExit(const Flags& flags) {
  store::StoreOptions options;
  options.path = flags.data;
  options.create_if_missing = false;
  auto opened = T::Open(options);
  if (!opened.ok()) {
    std::cerr << "screening_bench: " << opened.status() << "\n";
    std::exit(2);
  }
  return *std::move(opened);
}

void RunRaw(const Flags& flags,
            const std::vector<std::vector<std::string>>& sets,
            benchmark::BenchmarkReporter* reporter) {
  const auto db = OpenOrExit<store::Db>(flags);
  rocksdb::DB* raw = db->get();
  rocksdb::ColumnFamilyHandle* entities = db->cf(store::Cf::kEntities);

  benchmark::RegisterBenchmark("RocksDbGet", [&](benchmark::State& state) {
    std::string value;
    size_t i = 0, found = 0;
    for (auto _ : state) {
      for (const std::string& key : sets[i++ % sets.size()]) {
        rocksdb::Status s = raw->Get({}, entities, key, &value);
        if (s.ok()) {
          ++found;
        } else if (!s.IsNotFound()) {
          return Fail(state, s.ToString());
        }
      }
    }
    state.counters["found"] = static_cast<double>(found);
  });
  benchmark::RegisterBenchmark("RocksDbMultiGet", [&](benchmark::State& state) {
    rocksdb::PinnableSlice values[2];
    rocksdb::Status statuses[2];
    size_t i = 0, found = 0;
    for (auto _ : state) {
      const std::vector<std::string>& keys = sets[i++ % sets.size()];
      rocksdb::Slice slices[2] = {keys[0], keys[1]};
      raw->MultiGet({}, entities, 2, slices, values, statuses);
      for (int k = 0; k < 2; ++k) {
        if (statuses[k].ok()) {
          ++found;
        } else if (!statuses[k].IsNotFound()) {
          return Fail(state, statuses[k].ToString());
        }
        values[k].Reset();
      }
    }
    state.counters["found"] = static_cast<double>(found);
  });
  benchmark::RunSpecifiedBenchmarks(reporter);
  benchmark::ClearRegisteredBenchmarks();
}

void RunStore(const Flags& flags, const Population& population,
              const std::vector<std::vector<std::string>>& sets,
              benchmark::BenchmarkReporter* reporter) {
  const auto store = OpenOrExit<store::Store>(flags);
  store::Store* s = store.get();
  service::Screener screener(s, service::ScreenerOptions());
  Transfers transfers(&population, /*seed=*/1);

  benchmark::RegisterBenchmark("Lookup", [&](benchmark::State& state) {
    size_t i = 0, found = 0;
    for (auto _ : state) {
      auto result = s->blocklist().Lookup(sets[i++ % sets.size()]);
      if (!result.ok()) return Fail(state, result.status().ToString());
      for (const auto& e : result->entities) found += e.has_value();
    }
    state.counters["found"] = static_cast<double>(found);
  });
  benchmark::RegisterBenchmark("Prepare", [&](benchmark::State& state) {
    std::mt19937_64 rng(13);
    for (auto _ : state) {
      state.PauseTiming();
      const v1::ScreenTransferRequest request = transfers.Next(rng);
      state.ResumeTiming();
      auto screening = screener.Prepare("bank/bench", request);
      if (!screening.ok()) return Fail(state, screening.status().ToString());
      benchmark::DoNotOptimize(screening);
    }
  });
  benchmark::RegisterBenchmark("RecordHit", [&](benchmark::State& state) {
    size_t i = 0;
    const std::string run = core::StrCat(absl::ToUnixMicros(absl::Now()));
    for (auto _ : state) {
      const std::vector<std::string>& keys = sets[i % sets.size()];
      v1::HitRecord record;
      v1::Hit& hit = *record.mutable_hit();
      hit.set_hit_id(s->hits().NewHitId(absl::Now()));
      hit.set_transfer_id(core::StrCat("record-", run, "-", i++));
      hit.set_caller("bank/bench");
      hit.set_decision(v1::DECISION_ALLOW);
      hit.set_amount(1'000'000);
      hit.set_currency("VND");
      auto existing = s->hits().PutIfAbsent(&record, {}, keys);
      if (!existing.ok()) return Fail(state, existing.status().ToString());
    }
  });
  benchmark::RegisterBenchmark("Screen", [&](benchmark::State& state) {
    std::mt19937_64 rng(11);
    size_t blocked = 0;
    for (auto _ : state) {
      state.PauseTiming();
      const v1::ScreenTransferRequest request = transfers.Next(rng);
      state.ResumeTiming();
      auto response = screener.Screen("bank/bench", request);
      if (!response.ok()) return Fail(state, response.status().ToString());
      blocked += response->decision() == v1::DECISION_BLOCK;
    }
    state.counters["blocked"] = static_cast<double>(blocked);
  });
  // Throughput on two threads, each keeping kWindow screenings outstanding
  // as gRPC's handlers do (ScreenAsync: the writer thread records them in
  // groups). Pausing the timers costs more than a screening here, so each
  // request is made inside the timing (MakeRequest alone is timed below).
  benchmark::RegisterBenchmark(
      "ScreenAsync",
      [&](benchmark::State& state) {
        constexpr int kWindow = 64;
        std::mt19937_64 rng(17 + state.thread_index());
        absl::Mutex mu;
        int outstanding = 0;
        std::atomic<int64_t> failed{0};
        for (auto _ : state) {
          {
            absl::MutexLock lock(&mu);
            mu.Await(absl::Condition(
                +[](int* n) { return *n < kWindow; }, &outstanding));
            ++outstanding;
          }
          screener.ScreenAsync(
              "bank/bench", transfers.Next(rng),
              [&](absl::StatusOr<v1::ScreenTransferResponse> response) {
                if (!response.ok()) failed.fetch_add(1);
                absl::MutexLock lock(&mu);
                --outstanding;
              });
        }
        {
          absl::MutexLock lock(&mu);
          mu.Await(absl::Condition(
              +[](int* n) { return *n == 0; }, &outstanding));
        }
        if (failed.load() > 0) return Fail(state, "screenings failed");
        state.SetItemsProcessed(state.iterations());
      })
      ->Threads(2)
      ->UseRealTime();
  benchmark::RegisterBenchmark("MakeRequest", [&](benchmark::State& state) {
    std::mt19937_64 rng(19);
    for (auto _ : state) benchmark::DoNotOptimize(transfers.Next(rng));
  });
  benchmark::RunSpecifiedBenchmarks(reporter);
  benchmark::ClearRegisteredBenchmarks();
}

// Takes this program's own flags out of argv, leaving Google Benchmark's.
Flags ParseFlags(int* argc, char** argv) {
  Flags flags;
  int out = 1;
  for (int i = 1; i < *argc; ++i) {
    std::string_view arg = argv[i];
    if (arg.starts_with("--data=")) {
      flags.data = arg.substr(7);
    } else if (arg.starts_with("--population=")) {
      flags.population = std::atoll(argv[i] + 13);
    } else if (arg.starts_with("--listed-share=")) {
      flags.listed_share = std::atof(argv[i] + 15);
    } else {
      argv[out++] = argv[i];
    }
  }
  *argc = out;
  if (flags.data.empty() || flags.population <= 0) {
    std::cerr << "usage: screening_bench --data=DIR [--population=N] "
                 "[--listed-share=F] [--benchmark_...]\n";
    std::exit(2);
  }
  return flags;
}

}  // namespace
}  // namespace fraudgate::bench

int main(int argc, char** argv) {
  using namespace fraudgate::bench;
  const Flags flags = ParseFlags(&argc, argv);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  const Population population(flags.population, flags.listed_share);
  const auto sets = RandomKeySets(population);
  // One reporter for both runs (Benchmark 1.7.1 deletes its default one at
  // the end of a run, and a second run would use it).
  benchmark::ConsoleReporter reporter(benchmark::ConsoleReporter::OO_Tabular);
  RunRaw(flags, sets, &reporter);
  RunStore(flags, population, sets, &reporter);
  benchmark::Shutdown();
  return 0;
}
