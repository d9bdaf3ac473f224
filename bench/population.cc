#include "bench/population.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iterator>

namespace fraudgate::bench {
namespace {

constexpr const char* kBins[] = {"970436", "970415", "970418", "970405",
                                 "970407", "970422", "970416", "970432",
                                 "970403", "970423"};
constexpr uint64_t kAccounts = 100'000'000'000;  // 11 digits after the "8"
// Odd and not a multiple of 5, so i -> i * kSpread mod 10^11 is a bijection.
constexpr uint64_t kSpread = 2'654'435'761;

}  // namespace

Population::Population(int64_t size, double listed_share)
    : size_(size),
      every_(listed_share <= 0
                 ? 0
                 : std::max<int64_t>(1, std::llround(1.0 / listed_share))) {}

Beneficiary Population::At(int64_t i) const {
  const auto n = static_cast<uint64_t>(
      static_cast<unsigned __int128>(static_cast<uint64_t>(i) % kAccounts) *
      kSpread % kAccounts);
  char account[16];
  std::snprintf(account, sizeof(account), "8%011llu",
                static_cast<unsigned long long>(n));
  return {kBins[i % std::size(kBins)], account};
}

bool Population::IsListed(int64_t i) const {
  return every_ > 0 && i % every_ == 0;
}

int64_t Population::listed_count() const {
  return every_ == 0 ? 0 : (size_ + every_ - 1) / every_;
}

std::string Population::CsvHeader() {
  return "report_id,agency,reported_at,category,confidence,kind,issuer,value,"
         "victim_count,amount_lost,note\n";
}

std::string Population::CsvRow(int64_t i) const {
  const Beneficiary b = At(i);
  char row[160];
  std::snprintf(row, sizeof(row),
                "BENCH-%lld,PA05-BENCH,2026-11-01,EXTORTION_DEEPFAKE,CONFIRMED,"
                "BANK_ACCOUNT,%s,%s,1,10000000,fraudgate-bench\n",
                static_cast<long long>(i), b.bank.c_str(), b.account.c_str());
  return row;
}

}  // namespace fraudgate::bench
