#include "service/screener.h"

#include <algorithm>
#include <optional>
#include <vector>

#include "absl/synchronization/notification.h"
#include "core/customer_message.h"
#include "core/memo.h"
#include "core/normalize.h"
#include "core/phone.h"
#include "core/status_macros.h"
#include "core/text.h"
#include "proto/proto_time.h"
#include "service/convert.h"
#include "service/guarded.h"
#include "service/validation.h"

namespace fraudgate::service {
namespace {

using core::Identifier;
using core::IdentifierKind;
using core::ReasonCode;

struct Candidate {
  ReasonCode code;
  Identifier identifier;
  std::string key;  // identifier.Key(), computed once
};

// What one request asks us to look up.
struct Plan {
  std::vector<Candidate> candidates;
  std::optional<Identifier> beneficiary;  // canonical, for the hit record

  void Add(ReasonCode code, Identifier id) {
    std::string key = id.Key();
    candidates.push_back({code, std::move(id), std::move(key)});
  }
};

void AddUnique(std::vector<std::string>& keys, const std::string& key) {
  if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
    keys.push_back(key);
  }
}

// A bank account number that is also a Vietnamese phone number: many banks
// let customers use their phone number as an account alias.
std::optional<std::string> PhoneAlias(std::string_view account) {
  if (!core::LooksLikePhone(account)) return std::nullopt;
  const std::string folded = core::FoldWidthAndTrim(account);
  if (!folded.starts_with("0") && !folded.starts_with("+")) return std::nullopt;
  auto phone = core::NormalizePhone(account, "");
  if (!phone.ok()) return std::nullopt;
  return *phone;
}

absl::Status PlanBeneficiary(const v1::Party& party, Plan* plan) {
  RETURN_IF_ERROR(CheckText("beneficiary.name", party.name(), 256));
  RETURN_IF_ERROR(
      CheckText("beneficiary.customer_id", party.customer_id(), 128));
  if (party.account().empty() && party.phone().empty()) {
    return Invalid("beneficiary", "an account or a phone is required");
  }
  if (!party.account().empty()) {
    RETURN_IF_ERROR(CheckText("beneficiary.account", party.account(), 64));
    if (party.bank().empty()) {
      return Invalid("beneficiary.bank",
                     "required with beneficiary.account (BIN or short name)");
    }
    if (auto wallet = core::ResolveEwalletProvider(party.bank())) {
      ASSIGN_OR_RETURN(Identifier id,
                       core::NormalizeIdentifier(
                           IdentifierKind::kEwallet, *wallet, party.account(),
                           {"beneficiary.bank", "beneficiary.account"}));
      plan->Add(ReasonCode::kBeneficiaryAccountListed, id);
      if (!id.value.empty() && id.value[0] == '+') {
        plan->Add(ReasonCode::kBeneficiaryPhoneListed,
                  {IdentifierKind::kPhone, "", id.value});
      }
      plan->beneficiary = id;
    } else {
      ASSIGN_OR_RETURN(
          Identifier id,
          core::NormalizeIdentifier(
              IdentifierKind::kBankAccount, party.bank(), party.account(),
              {"beneficiary.bank", "beneficiary.account"}));
      if (id.issuer != core::kAnyBank) {
        plan->Add(ReasonCode::kBeneficiaryAccountListed, id);
      }
      plan->Add(ReasonCode::kBeneficiaryAccountNumberListed,
                {IdentifierKind::kBankAccount, std::string(core::kAnyBank),
                 id.value});
      if (auto alias = PhoneAlias(party.account())) {
        plan->Add(ReasonCode::kBeneficiaryPhoneListed,
                  {IdentifierKind::kPhone, "", *alias});
      }
      plan->beneficiary = id;
    }
  }
  if (!party.phone().empty()) {
    ASSIGN_OR_RETURN(std::string phone,
                     core::NormalizePhone(party.phone(), "beneficiary.phone"));
    Identifier id{IdentifierKind::kPhone, "", phone};
    plan->Add(ReasonCode::kBeneficiaryPhoneListed, id);
    if (!plan->beneficiary) plan->beneficiary = id;
  }
  return absl::OkStatus();
}

absl::StatusOr<Plan> Validate(const v1::ScreenTransferRequest& r) {
  if (r.transfer_id().empty()) return Invalid("transfer_id", "required");
  RETURN_IF_ERROR(
      CheckText("transfer_id", r.transfer_id(), kMaxTransferIdBytes));
  if (r.amount() < 0) return Invalid("amount", "must not be negative");
  if (r.has_requested_at()) {
    RETURN_IF_ERROR(TimeFromProto(r.requested_at(), "requested_at").status());
  }
  if (!r.currency().empty()) {
    const std::string& c = r.currency();
    if (c.size() != 3 || !std::all_of(c.begin(), c.end(), [](char ch) {
          return ch >= 'A' && ch <= 'Z';
        })) {
      return Invalid("currency", "must be an ISO 4217 code such as VND");
    }
  }
  if (!v1::Channel_IsValid(r.channel()))
    return Invalid("channel", "unknown value");
  RETURN_IF_ERROR(CheckText("sender.name", r.sender().name(), 256));
  RETURN_IF_ERROR(CheckText("sender.account", r.sender().account(), 64));
  if (core::Utf8Length(r.memo()) > core::kMaxMemoChars) {
    return Invalid("memo", core::StrCat("longer than ", core::kMaxMemoChars,
                                        " characters"));
  }
  if (r.contacts_size() > kMaxContacts) {
    return Invalid("contacts", core::StrCat("at most ", kMaxContacts));
  }

  Plan plan;
  RETURN_IF_ERROR(PlanBeneficiary(r.beneficiary(), &plan));
  for (int i = 0; i < r.contacts_size(); ++i) {
    ASSIGN_OR_RETURN(
        Identifier id,
        NormalizeProto(r.contacts(i), core::StrCat("contacts[", i, "]")));
    plan.Add(ReasonCode::kContactListed, std::move(id));
  }
  for (Identifier& id : core::ExtractMemoIdentifiers(r.memo())) {
    plan.Add(ReasonCode::kMemoIdentifierListed, std::move(id));
  }
  return plan;
}

v1::ScreenTransferResponse ResponseOf(const v1::HitRecord& record) {
  const v1::Hit& hit = record.hit();
  v1::ScreenTransferResponse response;
  response.set_transfer_id(hit.transfer_id());
  response.set_decision(hit.decision());
  response.set_score(hit.score());
  *response.mutable_reasons() = hit.reasons();
  response.set_customer_message(record.customer_message());
  response.set_list_version(hit.list_version());
  response.set_hit_id(hit.hit_id());
  *response.mutable_screened_at() = hit.screened_at();
  return response;
}

// Store failures on the screening path are UNAVAILABLE whatever their cause:
// the caller must not take them for a clear result.
absl::Status Unavailable(const absl::Status& s) {
  return absl::UnavailableError(
      core::StrCat("screening unavailable: ", s.message()));
}

}  // namespace

Screener::Screener(store::Store* store, ScreenerOptions options,
                   ProbeDetector* probes)
    : store_(store), options_(std::move(options)), probes_(probes) {}

absl::StatusOr<v1::ScreenTransferResponse> Screener::Screen(
    const std::string& caller, const v1::ScreenTransferRequest& request) {
  if (store_->hits().IsWriterThread()) {
    return absl::InternalError(
        "Screen on the hit writer thread would wait on itself");
  }
  absl::Notification done;
  absl::StatusOr<v1::ScreenTransferResponse> result;
  ScreenAsync(caller, request,
              [&](absl::StatusOr<v1::ScreenTransferResponse> response) {
                result = std::move(response);
                done.Notify();
              });
  done.WaitForNotification();
  return result;
}

void Screener::ScreenAsync(const std::string& caller,
                           const v1::ScreenTransferRequest& request,
                           ScreenDone done) {
  absl::StatusOr<Screening> screening =
      Guarded("screening", [&] { return Prepare(caller, request); });
  if (!screening.ok()) return done(screening.status());
  // A transfer_id this caller already screened gets its recorded result:
  // the store checks and writes in one step.
  store_->hits().PutIfAbsentAsync(
      std::move(screening->record), screening->index_keys,
      screening->beneficiary_keys,
      [this, done = std::move(done), caller,
       observed = std::move(screening->observed)](
          absl::StatusOr<store::HitStore::PutResult> put) {
        if (!put.ok()) return done(Unavailable(put.status()));
        if (!put->existed && observed) probes_->Observe(caller, *observed);
        if (!put->existed && options_.hit_recorded) {
          options_.hit_recorded(put->record);
        }
        done(ResponseOf(put->record));
      });
}

absl::StatusOr<Screener::Screening> Screener::Prepare(
    const std::string& caller, const v1::ScreenTransferRequest& request) {
  ASSIGN_OR_RETURN(Plan plan, Validate(request));
  if (options_.list_fresh) {
    // Never an answer from a list known to be stale.
    RETURN_IF_ERROR(options_.list_fresh());
  }

  // Distinct keys for one MultiGet; `slot[i]` is candidate i's key's index.
  std::vector<std::string> keys;
  std::vector<size_t> slot;
  for (const Candidate& c : plan.candidates) {
    AddUnique(keys, c.key);
    slot.push_back(std::find(keys.begin(), keys.end(), c.key) - keys.begin());
  }
  auto found = store_->blocklist().Lookup(keys);
  if (!found.ok()) return Unavailable(found.status());

  std::vector<core::Match> matches;
  std::vector<const Candidate*> matched;
  for (size_t i = 0; i < plan.candidates.size(); ++i) {
    const std::optional<v1::Entity>& entity = found->entities[slot[i]];
    if (!entity) continue;
    const Candidate& c = plan.candidates[i];
    matches.push_back(core::Match{c.code, c.identifier,
                                  entity->status() == v1::DELISTED,
                                  ReportFactsOf(*entity)});
    matched.push_back(&c);
  }
  const absl::Time now = options_.clock();
  const core::ScoreResult scored =
      core::Score(options_.scoring, matches, request.amount(), now);

  Screening screening;
  v1::HitRecord& record = screening.record;
  v1::Hit& hit = *record.mutable_hit();
  hit.set_hit_id(store_->hits().NewHitId(now));
  hit.set_transfer_id(request.transfer_id());
  hit.set_caller(caller);
  *hit.mutable_screened_at() = ToProtoTime(now);
  hit.set_decision(ToProto(scored.decision));
  hit.set_score(scored.score);
  for (const core::ScoredReason& r : scored.reasons)
    *hit.add_reasons() = ToProto(r);
  hit.set_list_version(found->list_version);
  hit.set_amount(request.amount());
  hit.set_currency(request.currency().empty() ? "VND" : request.currency());
  if (!scored.reasons.empty()) {
    record.set_customer_message(core::CustomerMessage(
        scored.decision, scored.reasons.front().top_category));
  }

  // Only screenings that matched keep the beneficiary in clear and are
  // indexed by identifier (DESIGN §3: the rest keep a keyed hash only).
  std::vector<std::string>& index_keys = screening.index_keys;
  if (!matches.empty()) {
    if (plan.beneficiary) {
      *hit.mutable_beneficiary() = ToProto(*plan.beneficiary);
      AddUnique(index_keys, plan.beneficiary->Key());
    }
    for (const Candidate* c : matched) AddUnique(index_keys, c->key);
  }
  // Every screening is findable by its beneficiary later (FindPastTransfers),
  // through keyed hashes only.
  std::vector<std::string>& beneficiary_keys = screening.beneficiary_keys;
  for (const Candidate& c : plan.candidates) {
    if (c.code != ReasonCode::kContactListed &&
        c.code != ReasonCode::kMemoIdentifierListed) {
      AddUnique(beneficiary_keys, c.key);
    }
  }
  if (probes_ != nullptr) screening.observed = std::move(plan.beneficiary);
  return screening;
}

}  // namespace fraudgate::service
