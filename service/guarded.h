// The one place fraudgate catches exceptions: at the boundary of a call.
// fraudgate's own code throws nothing (errors are absl::Status), but the
// libraries under it may: protobuf throws FatalException when one of its
// CHECKs fails, the standard library std::bad_alloc. One escaping a reactor
// would leave its call unfinished, holding its place in flight (call_gate.h)
// until the client gives up and keeping the server from shutting down.
// Every handler runs its work through Guarded, so such a failure finishes
// the call with INTERNAL instead.
//
// Thread safety: pure functions.
#ifndef FRAUDGATE_SERVICE_GUARDED_H_
#define FRAUDGATE_SERVICE_GUARDED_H_

#include <exception>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/text.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/server_callback.h"
#include "service/grpc_status.h"

namespace fraudgate::service {

// Returns what `body()` returns (an absl::Status or absl::StatusOr<T>), or
// INTERNAL "<what>: internal error (<exception>)" when it throws.
template <typename Body>
auto Guarded(std::string_view what, Body&& body) noexcept -> decltype(body()) {
  try {
    return std::forward<Body>(body)();
  } catch (const std::exception& e) {
    return absl::InternalError(
        core::StrCat(what, ": internal error (", e.what(), ")"));
  } catch (...) {
    return absl::InternalError(core::StrCat(what, ": internal error"));
  }
}

// Finishes a unary call with the result of `answer()` (an
// absl::StatusOr<Response>, guarded as above): the value is moved into
// `*response` when OK. Returns the call's reactor.
template <typename Response, typename Answer>
grpc::ServerUnaryReactor* FinishUnary(grpc::CallbackServerContext* context,
                                      std::string_view method,
                                      Response* response, Answer&& answer) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<Response> result =
      Guarded(method, std::forward<Answer>(answer));
  if (result.ok()) *response = *std::move(result);
  reactor->Finish(ToGrpcStatus(result.status()));
  return reactor;
}

}  // namespace fraudgate::service

#endif  // FRAUDGATE_SERVICE_GUARDED_H_
