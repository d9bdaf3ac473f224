// The ScreenTransfer requests of the benchmarks: unique transfer ids and
// beneficiaries drawn at random from a synthetic population (population.h),
// shared by the load generator and the in-process benchmark so both screen
// the same kind of transfer.
//
// Thread safety: Next() may be called concurrently, each thread with its own
// random generator.
#ifndef FRAUDGATE_BENCH_TRANSFERS_H_
#define FRAUDGATE_BENCH_TRANSFERS_H_

#include <atomic>
#include <cstdint>
#include <random>
#include <string>

#include "bench/population.h"
#include "fraudgate/v1/fraudgate.pb.h"

namespace fraudgate::bench {

class Transfers {
 public:
  // `population` must outlive this object. Transfer ids are
  // "bench-<start millis>-<seed>-<n>": distinct across runs and seeds.
  Transfers(const Population* population, int64_t seed);

  // A new transfer of a random amount to a random beneficiary.
  v1::ScreenTransferRequest Next(std::mt19937_64& rng);

 private:
  const Population* const population_;
  const std::string run_id_;
  const int64_t seed_;
  std::atomic<int64_t> next_{0};
};

}  // namespace fraudgate::bench

#endif  // FRAUDGATE_BENCH_TRANSFERS_H_
