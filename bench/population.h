// The synthetic population the load generator screens transfers to, and the
// police CSV that lists part of it, both a pure function of (index, listed
// share), so `fraudgate-bench blocklist` and `fraudgate-bench run` agree on
// which beneficiaries are listed without sharing a file.
#ifndef FRAUDGATE_BENCH_POPULATION_H_
#define FRAUDGATE_BENCH_POPULATION_H_

#include <cstdint>
#include <string>

namespace fraudgate::bench {

struct Beneficiary {
  std::string bank;     // a NAPAS BIN
  std::string account;  // 12 digits
};

class Population {
 public:
  // `listed_share` in [0, 1]: every round(1 / share)-th beneficiary is
  // listed (none for 0).
  Population(int64_t size, double listed_share);

  int64_t size() const { return size_; }
  // Beneficiary `i` (0 <= i < size): distinct indexes give distinct
  // accounts.
  Beneficiary At(int64_t i) const;
  bool IsListed(int64_t i) const;
  int64_t listed_count() const;

  // The police CSV header, and the row listing beneficiary `i` (one report
  // each, EXTORTION_DEEPFAKE, CONFIRMED).
  static std::string CsvHeader();
  std::string CsvRow(int64_t i) const;

 private:
  int64_t size_;
  int64_t every_;  // 0: none listed
};

}  // namespace fraudgate::bench

#endif  // FRAUDGATE_BENCH_POPULATION_H_
