// seed_hits: fills a data dir with N synthetic screenings through the same
// store call the screener makes (HitStore::PutIfAbsent: the hit, its
// transfer entry, identifier index entries for matched ones and keyed-hash
// beneficiary entries for all), so history queries can be timed against a
// history of realistic size. Not a test; see bench/README.md.
//
//   seed_hits --data=DIR --screenings=10000000 [--days=60] [--threads=2]
//
// Beneficiaries are drawn from 2M synthetic VCB accounts; 2% of screenings
// are matched (BLOCK, indexed by identifier). Two probe accounts get one
// screening in every 200,000 (spread over the whole period): a listed one
// (matched) and an unlisted one (keyed hash only). It prints both, to be
// queried with `fraudgate hits` and `fraudgate past`.
#include <atomic>
#include <cstdint>
#include <iostream>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/time/clock.h"
#include "core/identifier.h"
#include "core/text.h"
#include "proto/proto_time.h"
#include "store/store.h"

namespace fraudgate {
namespace {

constexpr char kBank[] = "970436";
constexpr char kListedProbe[] = "9990000000001";
constexpr char kUnlistedProbe[] = "9990000000002";
constexpr int64_t kProbeEvery = 200'000;

std::string Account(uint64_t n) {
  return std::to_string(1'000'000'000'000ULL + n);
}

v1::Identifier AccountId(const std::string& number) {
  v1::Identifier id;
  id.set_kind(v1::BANK_ACCOUNT);
  id.set_issuer(kBank);
  id.set_value(number);
  return id;
}

std::string Key(const std::string& number) {
  return core::Identifier{core::IdentifierKind::kBankAccount, kBank, number}
      .Key();
}

int Run(int argc, char** argv) {
  std::string data;
  int64_t screenings = 0, days = 60, threads = 2;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&](const char* name) -> std::optional<std::string> {
      const std::string prefix = core::StrCat("--", name, "=");
      if (!arg.starts_with(prefix)) return std::nullopt;
      return arg.substr(prefix.size());
    };
    if (auto v = value("data")) {
      data = *v;
    } else if (auto v = value("screenings")) {
      if (!absl::SimpleAtoi(*v, &screenings)) return 2;
    } else if (auto v = value("days")) {
      if (!absl::SimpleAtoi(*v, &days)) return 2;
    } else if (auto v = value("threads")) {
      if (!absl::SimpleAtoi(*v, &threads)) return 2;
    } else {
      std::cerr << "usage: seed_hits --data=DIR --screenings=N [--days=60] "
                   "[--threads=2]\n";
      return 2;
    }
  }
  if (data.empty() || screenings < 1 || days < 1 || threads < 1) {
    std::cerr << "seed_hits: --data and --screenings >= 1 are required\n";
    return 2;
  }
  store::StoreOptions options;
  options.path = data;
  auto store = store::Store::Open(options);
  if (!store.ok()) {
    std::cerr << "seed_hits: " << store.status() << "\n";
    return 1;
  }
  store::HitStore& hits = (*store)->hits();
  const absl::Time end = absl::Now();
  const absl::Duration step = absl::Hours(24) * days / screenings;
  std::atomic<int64_t> next{0};
  std::atomic<bool> failed{false};
  const absl::Time started = absl::Now();

  auto work = [&](int seed) {
    std::mt19937_64 rng(seed);
    for (int64_t i; (i = next.fetch_add(1)) < screenings && !failed;) {
      const absl::Time at = end - step * (screenings - i);
      std::string number = Account(rng() % 2'000'000);
      bool matched = rng() % 50 == 0;
      if (i % kProbeEvery == 0) {
        number = kListedProbe;
        matched = true;
      } else if (i % kProbeEvery == kProbeEvery / 2) {
        number = kUnlistedProbe;
        matched = false;
      }
      v1::HitRecord record;
      v1::Hit& hit = *record.mutable_hit();
      hit.set_hit_id(hits.NewHitId(at));
      hit.set_transfer_id(core::StrCat("seed-", i));
      hit.set_caller("bank/seed");
      *hit.mutable_screened_at() = ToProtoTime(at);
      hit.set_amount(static_cast<int64_t>(rng() % 50'000'000));
      hit.set_currency("VND");
      hit.set_list_version(1);
      std::vector<std::string> identifier_keys;
      const std::string key = Key(number);
      if (matched) {
        hit.set_decision(v1::DECISION_BLOCK);
        hit.set_score(92);
        *hit.mutable_beneficiary() = AccountId(number);
        v1::Reason* reason = hit.add_reasons();
        reason->set_code("BENEFICIARY_ACCOUNT_LISTED");
        *reason->mutable_identifier() = AccountId(number);
        reason->set_points(92);
        reason->set_report_count(1);
        record.set_customer_message("seeded");
        identifier_keys.push_back(key);
      } else {
        hit.set_decision(v1::DECISION_ALLOW);
      }
      const std::string any_bank =
          core::Identifier{core::IdentifierKind::kBankAccount, "*", number}
              .Key();
      auto put = hits.PutIfAbsent(&record, identifier_keys, {key, any_bank});
      if (!put.ok()) {
        std::cerr << "seed_hits: " << put.status() << "\n";
        failed = true;
      }
      if (seed == 1 && i % 500'000 == 0 && i > 0) {
        std::cerr << "seed_hits: " << i << " screenings, "
                  << static_cast<int64_t>(
                         i / absl::ToDoubleSeconds(absl::Now() - started))
                  << "/s\n";
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(work, t + 1);
  for (auto& t : pool) t.join();
  if (failed) return 1;
  std::cout << "seeded " << screenings << " screenings over " << days
            << " days in " << absl::ToDoubleSeconds(absl::Now() - started)
            << " s\nlisted probe:   --kind=BANK_ACCOUNT --issuer=" << kBank
            << " --value=" << kListedProbe << " (" << screenings / kProbeEvery
            << " matched screenings)\nunlisted probe: --kind=BANK_ACCOUNT "
               "--issuer="
            << kBank << " --value=" << kUnlistedProbe << " ("
            << (screenings + kProbeEvery / 2) / kProbeEvery
            << " unmatched screenings)\n";
  return 0;
}

}  // namespace
}  // namespace fraudgate

int main(int argc, char** argv) { return fraudgate::Run(argc, argv); }
