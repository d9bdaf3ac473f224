#include "service/screening_service.h"

#include <algorithm>

#include "core/text.h"
#include "service/grpc_status.h"

namespace fraudgate::service {

absl::StatusOr<v1::ScreenTransferResponse> ScreeningService::ScreenOne(
    const std::string& caller, const v1::ScreenTransferRequest& request) {
  if (request.ByteSizeLong() > kMaxScreeningRequestBytes) {
    return absl::ResourceExhaustedError(core::StrCat(
        "request: larger than ", kMaxScreeningRequestBytes, " bytes"));
  }
  return screener_->Screen(caller, request);
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
  auto result = ScreenOne(admitted->caller.Id(), *request);
  if (result.ok()) {
    *response = *std::move(result);
    reactor->Finish(grpc::Status::OK);
  } else {
    reactor->Finish(ToGrpcStatus(result.status()));
  }
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
  const std::string caller_id = admitted->caller.Id();
  for (int i = 0; i < request->transfers_size(); ++i) {
    v1::ScreenTransferResult* item = response->add_results();
    auto result = ScreenOne(caller_id, request->transfers(i));
    if (result.ok()) {
      *item->mutable_response() = *std::move(result);
    } else {
      item->mutable_error()->set_code(static_cast<int>(result.status().code()));
      item->mutable_error()->set_message(
          core::StrCat("transfers[", i, "].", result.status().message()));
    }
  }
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

}  // namespace fraudgate::service
