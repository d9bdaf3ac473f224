#include "service/call_gate.h"

#include "core/status_macros.h"
#include "core/text.h"

namespace fraudgate::service {
namespace {

bool IsScreening(std::string_view method) {
  return method == "ScreenTransfer" || method == "ScreenTransfers";
}

bool IsQuery(std::string_view method) {
  return method == "QueryHits" || method == "GetHit" || method == "HitStats" ||
         method == "FindPastTransfers";
}

}  // namespace

void CallGate::Ticket::Release() {
  if (gate_ == nullptr) return;
  gate_->Leave(*this);
  gate_ = nullptr;
}

CallGate::CallGate(const Authorizer* auth, const Budgets& budgets,
                   const Rates& rates, std::function<absl::Time()> clock)
    : auth_(auth),
      budgets_(budgets),
      screening_(rates.screening_rate, rates.screening_burst, clock),
      get_entity_(rates.get_entity_rate, rates.get_entity_burst, clock),
      query_(rates.query_rate, rates.query_burst, clock) {}

absl::StatusOr<CallGate::Admitted> CallGate::Admit(
    const grpc::ServerContextBase& context, std::string_view method,
    double cost) {
  ASSIGN_OR_RETURN(Caller caller, auth_->Authorize(context, method));
  return Admit(std::move(caller), method, cost);
}

absl::StatusOr<CallGate::Admitted> CallGate::Admit(Caller caller,
                                                   std::string_view method,
                                                   double cost) {
  const bool screening = IsScreening(method);
  RateLimiter* bucket = nullptr;
  if (screening) {
    bucket = &screening_;
  } else if (method == "GetEntity") {
    bucket = &get_entity_;
  } else if (IsQuery(method)) {
    bucket = &query_;
  }
  if (bucket != nullptr && !auth_->insecure() &&
      !bucket->TryTake(caller.Id(), cost)) {
    return absl::ResourceExhaustedError(
        core::StrCat("rate limit: ", caller.Id(), " is over its rate for ",
                     method, "; slow down"));
  }
  std::atomic<int64_t>& in_flight =
      screening ? screening_in_flight_ : other_in_flight_;
  const int64_t budget = screening ? budgets_.screening : budgets_.other;
  if (in_flight.fetch_add(1) >= budget) {
    in_flight.fetch_sub(1);
    shed_.fetch_add(1);
    return absl::ResourceExhaustedError(
        core::StrCat("server busy: ", budget, screening ? " screening" : "",
                     " calls in flight; retry later"));
  }
  Admitted admitted{std::move(caller), Ticket()};
  admitted.ticket.gate_ = this;
  admitted.ticket.screening_ = screening;
  if (method == "UploadReports") {
    absl::MutexLock lock(&uploads_mu_);
    int64_t& streams = uploads_[admitted.caller.Id()];
    if (streams >= budgets_.uploads_per_caller) {
      shed_.fetch_add(1);
      // The ticket, not yet an upload's, frees the place in flight.
      return absl::ResourceExhaustedError(core::StrCat(
          "upload streams: ", admitted.caller.Id(), " has ", streams,
          " open already (limits.max_uploads_per_caller); finish one first"));
    }
    ++streams;
    admitted.ticket.uploader_ = admitted.caller.Id();
  }
  return admitted;
}

void CallGate::Leave(Ticket& ticket) {
  if (!ticket.uploader_.empty()) {
    absl::MutexLock lock(&uploads_mu_);
    auto it = uploads_.find(ticket.uploader_);
    if (--it->second == 0) uploads_.erase(it);
  }
  (ticket.screening_ ? screening_in_flight_ : other_in_flight_).fetch_sub(1);
}

}  // namespace fraudgate::service
