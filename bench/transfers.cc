#include "bench/transfers.h"

#include "absl/time/clock.h"
#include "core/text.h"

namespace fraudgate::bench {

Transfers::Transfers(const Population* population, int64_t seed)
    : population_(population),
      run_id_(core::StrCat("bench-", absl::ToUnixMillis(absl::Now()))),
      seed_(seed) {}

v1::ScreenTransferRequest Transfers::Next(std::mt19937_64& rng) {
  const int64_t i =
      static_cast<int64_t>(rng() % static_cast<uint64_t>(population_->size()));
  const Beneficiary b = population_->At(i);
  v1::ScreenTransferRequest r;
  r.set_transfer_id(core::StrCat(run_id_, "-", seed_, "-", next_.fetch_add(1)));
  r.set_amount(static_cast<int64_t>(100'000 + rng() % 20'000'000));
  r.set_channel(v1::MOBILE);
  r.mutable_sender()->set_bank("970436");
  r.mutable_sender()->set_account("0071000000001");
  r.mutable_beneficiary()->set_bank(b.bank);
  r.mutable_beneficiary()->set_account(b.account);
  return r;
}

}  // namespace fraudgate::bench
