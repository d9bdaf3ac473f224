#include "service/screening_service.h"

#include <algorithm>
#include <atomic>
#include <memory>

#include "core/text.h"
#include "service/grpc_status.h"

namespace fraudgate::service {

void ScreeningService::ScreenOne(const std::string& caller,
                                 const v1::ScreenTransferRequest& request,
                                 Screener::ScreenDone done) {
  if (request.ByteSizeLong() > kMaxScreeningRequestBytes) {
    return done(absl::ResourceExhaustedError(core::StrCat(
        "request: larger than ", kMaxScreeningRequestBytes, " bytes")));
  }
  screener_->ScreenAsync(caller, request, std::move(done));
}

grpc::ServerUnaryReactor* ScreeningService::ScreenTransfer(
    grpc::CallbackServerContext* context,
    const v1::ScreenTransferRequest* request,
    v1::ScreenTransferResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (empty_handler_) {
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
  auto admitted = gate_->Admit(*context, "ScreenTransfer");
  if (!admitted.ok()) {
    reactor->Finish(ToGrpcStatus(admitted.status()));
    return reactor;
  }
  // The call keeps its place in flight until it finishes.
  auto ticket = std::make_shared<CallGate::Ticket>(std::move(admitted->ticket));
  ScreenOne(admitted->caller.Id(), *request,
            [reactor, response,
             ticket](absl::StatusOr<v1::ScreenTransferResponse> result) {
              // The place in flight is freed before the call finishes: once
              // it has, the server (and the gate) may be gone.
              { CallGate::Ticket done = std::move(*ticket); }
              if (result.ok()) {
                *response = *std::move(result);
                reactor->Finish(grpc::Status::OK);
              } else {
                reactor->Finish(ToGrpcStatus(result.status()));
              }
            });
  return reactor;
}

grpc::ServerUnaryReactor* ScreeningService::ScreenTransfers(
    grpc::CallbackServerContext* context,
    const v1::ScreenTransfersRequest* request,
    v1::ScreenTransfersResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  auto admitted = gate_->Admit(*context, "ScreenTransfers",
                               std::max<double>(1, request->transfers_size()));
  if (!admitted.ok()) {
    reactor->Finish(ToGrpcStatus(admitted.status()));
    return reactor;
  }
  if (request->transfers_size() > kMaxBatch) {
    reactor->Finish(grpc::Status(
        grpc::StatusCode::INVALID_ARGUMENT,
        core::StrCat("transfers: at most ", kMaxBatch, " per call (got ",
                     request->transfers_size(), ")")));
    return reactor;
  }
  const int n = request->transfers_size();
  if (n == 0) {
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
  // Every item is screened at once; the last to be recorded finishes the
  // call. Items are filled in place, so no two callbacks touch one message.
  for (int i = 0; i < n; ++i) response->add_results();
  struct Batch {
    CallGate::Ticket ticket;
    std::atomic<int> pending;
  };
  auto batch = std::make_shared<Batch>();
  batch->ticket = std::move(admitted->ticket);
  batch->pending = n;
  const std::string caller_id = admitted->caller.Id();
  for (int i = 0; i < n; ++i) {
    v1::ScreenTransferResult* item = response->mutable_results(i);
    ScreenOne(caller_id, request->transfers(i),
              [reactor, item, i,
               batch](absl::StatusOr<v1::ScreenTransferResponse> result) {
                if (result.ok()) {
                  *item->mutable_response() = *std::move(result);
                } else {
                  item->mutable_error()->set_code(
                      static_cast<int>(result.status().code()));
                  item->mutable_error()->set_message(core::StrCat(
                      "transfers[", i, "].", result.status().message()));
                }
                if (batch->pending.fetch_sub(1) == 1) {
                  // Freed before the call finishes, as in ScreenTransfer.
                  { CallGate::Ticket done = std::move(batch->ticket); }
                  reactor->Finish(grpc::Status::OK);
                }
              });
  }
  return reactor;
}

}  // namespace fraudgate::service
