#include "service/call_gate.h"

#include "core/status_macros.h"
#include "core/text.h"

namespace fraudgate::service {

CallGate::CallGate(const Authorizer* auth, int64_t max_in_flight,
                   const Rates& rates, std::function<absl::Time()> clock)
    : auth_(auth),
      max_in_flight_(max_in_flight),
      screening_(rates.screening_rate, rates.screening_burst, clock),
      get_entity_(rates.get_entity_rate, rates.get_entity_burst, clock) {}

absl::StatusOr<CallGate::Admitted> CallGate::Admit(
    const grpc::ServerContextBase& context, std::string_view method,
    double cost) {
  ASSIGN_OR_RETURN(Caller caller, auth_->Authorize(context, method));
  RateLimiter* bucket = nullptr;
  if (method == "ScreenTransfer" || method == "ScreenTransfers") {
    bucket = &screening_;
  } else if (method == "GetEntity") {
    bucket = &get_entity_;
  }
  if (bucket != nullptr && !auth_->insecure() &&
      !bucket->TryTake(caller.Id(), cost)) {
    return absl::ResourceExhaustedError(
        core::StrCat("rate limit: ", caller.Id(), " is over its rate for ",
                     method, "; slow down"));
  }
  if (in_flight_.fetch_add(1) >= max_in_flight_) {
    in_flight_.fetch_sub(1);
    shed_.fetch_add(1);
    return absl::ResourceExhaustedError(core::StrCat(
        "server busy: ", max_in_flight_, " calls in flight; retry later"));
  }
  return Admitted{std::move(caller), Ticket(&in_flight_)};
}

}  // namespace fraudgate::service
