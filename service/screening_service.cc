#include "service/screening_service.h"

#include "core/text.h"
#include "service/grpc_status.h"

namespace fraudgate::service {

grpc::ServerUnaryReactor* ScreeningService::ScreenTransfer(
    grpc::CallbackServerContext* context,
    const v1::ScreenTransferRequest* request,
    v1::ScreenTransferResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  auto caller = auth_->Authorize(*context, "ScreenTransfer");
  if (!caller.ok()) {
    reactor->Finish(ToGrpcStatus(caller.status()));
    return reactor;
  }
  auto result = screener_->Screen(caller->Id(), *request);
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
  auto caller = auth_->Authorize(*context, "ScreenTransfers");
  if (!caller.ok()) {
    reactor->Finish(ToGrpcStatus(caller.status()));
    return reactor;
  }
  if (request->transfers_size() > kMaxBatch) {
    reactor->Finish(grpc::Status(
        grpc::StatusCode::INVALID_ARGUMENT,
        core::StrCat("transfers: at most ", kMaxBatch, " per call (got ",
                     request->transfers_size(), ")")));
    return reactor;
  }
  const std::string caller_id = caller->Id();
  for (int i = 0; i < request->transfers_size(); ++i) {
    v1::ScreenTransferResult* item = response->add_results();
    auto result = screener_->Screen(caller_id, request->transfers(i));
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
