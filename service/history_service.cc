#include "service/history_service.h"

#include <utility>

#include "service/caller.h"
#include "service/grpc_status.h"

namespace fraudgate::service {
namespace {

// Finishes the call with `result`, moved into `response` when OK.
template <typename Response>
grpc::ServerUnaryReactor* Answer(grpc::CallbackServerContext* context,
                                 absl::StatusOr<Response> result,
                                 Response* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (result.ok()) *response = *std::move(result);
  reactor->Finish(ToGrpcStatus(result.status()));
  return reactor;
}

}  // namespace

grpc::ServerUnaryReactor* HistoryService::QueryHits(
    grpc::CallbackServerContext* context, const v1::QueryHitsRequest* request,
    v1::QueryHitsResponse* response) {
  return Answer(context, history_->QueryHits(*request), response);
}

grpc::ServerUnaryReactor* HistoryService::GetHit(
    grpc::CallbackServerContext* context, const v1::GetHitRequest* request,
    v1::Hit* response) {
  return Answer(context, history_->GetHit(*request), response);
}

grpc::ServerUnaryReactor* HistoryService::HitStats(
    grpc::CallbackServerContext* context, const v1::HitStatsRequest* request,
    v1::HitStatsResponse* response) {
  return Answer(context, history_->HitStats(*request), response);
}

grpc::ServerUnaryReactor* HistoryService::FindPastTransfers(
    grpc::CallbackServerContext* context,
    const v1::FindPastTransfersRequest* request,
    v1::QueryHitsResponse* response) {
  return Answer(context, history_->FindPastTransfers(*request), response);
}

grpc::ServerUnaryReactor* HistoryService::RecordOutcome(
    grpc::CallbackServerContext* context,
    const v1::RecordOutcomeRequest* request, v1::Hit* response) {
  return Answer(context, history_->RecordOutcome(*request, CallerOf(*context)),
                response);
}

}  // namespace fraudgate::service
