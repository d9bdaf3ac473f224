#include "service/screening_service.h"

#include <algorithm>
#include <atomic>
#include <memory>

#include "core/text.h"
#include "service/grpc_status.h"

namespace fraudgate::service {

namespace {

absl::Status TooLarge() {
  return absl::ResourceExhaustedError(core::StrCat(
      "request: larger than ", kMaxScreeningRequestBytes, " bytes"));
}

}  // namespace

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
  if (request->ByteSizeLong() > kMaxScreeningRequestBytes) {
    // Its place freed before the call finishes, as below.
    { CallGate::Ticket done = std::move(admitted->ticket); }
    reactor->Finish(ToGrpcStatus(TooLarge()));
    return reactor;
  }
  // The call keeps its place in flight until it finishes.
  auto ticket = std::make_shared<CallGate::Ticket>(std::move(admitted->ticket));
  screener_->ScreenAsync(
      admitted->caller.Id(), *request,
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
  // Every item is screened, and recorded together; the last to be answered
  // finishes the call. Items are filled in place, so no two callbacks touch
  // one message.
  for (int i = 0; i < n; ++i) response->add_results();
  struct Batch {
    CallGate::Ticket ticket;
    std::atomic<int> pending;
  };
  auto batch = std::make_shared<Batch>();
  batch->ticket = std::move(admitted->ticket);
  batch->pending = n;
  auto answer = [reactor, response, batch](
                    size_t i,
                    absl::StatusOr<v1::ScreenTransferResponse> result) {
    v1::ScreenTransferResult* item = response->mutable_results(i);
    if (result.ok()) {
      *item->mutable_response() = *std::move(result);
    } else {
      item->mutable_error()->set_code(static_cast<int>(result.status().code()));
      item->mutable_error()->set_message(
          core::StrCat("transfers[", i, "].", result.status().message()));
    }
    if (batch->pending.fetch_sub(1) == 1) {
      // Freed before the call finishes, as in ScreenTransfer.
      { CallGate::Ticket done = std::move(batch->ticket); }
      reactor->Finish(grpc::Status::OK);
    }
  };
  // Items over the size limit are answered at once; the rest go to the
  // screener, their indexes kept.
  std::vector<const v1::ScreenTransferRequest*> screened;
  std::vector<size_t> index_of;
  for (int i = 0; i < n; ++i) {
    if (request->transfers(i).ByteSizeLong() > kMaxScreeningRequestBytes) {
      answer(i, TooLarge());
    } else {
      screened.push_back(&request->transfers(i));
      index_of.push_back(i);
    }
  }
  screener_->ScreenAllAsync(
      admitted->caller.Id(), screened,
      [answer, index_of = std::move(index_of)](
          size_t k, absl::StatusOr<v1::ScreenTransferResponse> result) {
        answer(index_of[k], std::move(result));
      });
  return reactor;
}

}  // namespace fraudgate::service
