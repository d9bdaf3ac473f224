#include "service/call_gate.h"

#include "core/status_macros.h"
#include "core/text.h"

namespace fraudgate::service {

absl::StatusOr<CallGate::Admitted> CallGate::Admit(
    const grpc::ServerContextBase& context, std::string_view method) {
  ASSIGN_OR_RETURN(Caller caller, auth_->Authorize(context, method));
  if (in_flight_.fetch_add(1) >= max_in_flight_) {
    in_flight_.fetch_sub(1);
    shed_.fetch_add(1);
    return absl::ResourceExhaustedError(core::StrCat(
        "server busy: ", max_in_flight_, " calls in flight; retry later"));
  }
  return Admitted{std::move(caller), Ticket(&in_flight_)};
}

}  // namespace fraudgate::service
