#include "service/history_service.h"

#include <utility>

#include "core/status_macros.h"
#include "service/guarded.h"

namespace fraudgate::service {

template <typename Response, typename Call>
grpc::ServerUnaryReactor* HistoryService::Answer(
    grpc::CallbackServerContext* context, std::string_view method, Call call,
    Response* response) {
  return FinishUnary(context, method, response,
                     [&]() -> absl::StatusOr<Response> {
                       ASSIGN_OR_RETURN(CallGate::Admitted admitted,
                                        gate_->Admit(*context, method));
                       return call(admitted.caller);
                     });
}

grpc::ServerUnaryReactor* HistoryService::QueryHits(
    grpc::CallbackServerContext* context, const v1::QueryHitsRequest* request,
    v1::QueryHitsResponse* response) {
  return Answer(
      context, "QueryHits",
      [&](const Caller&) { return history_->QueryHits(*request); }, response);
}

grpc::ServerUnaryReactor* HistoryService::GetHit(
    grpc::CallbackServerContext* context, const v1::GetHitRequest* request,
    v1::Hit* response) {
  return Answer(
      context, "GetHit",
      [&](const Caller&) { return history_->GetHit(*request); }, response);
}

grpc::ServerUnaryReactor* HistoryService::HitStats(
    grpc::CallbackServerContext* context, const v1::HitStatsRequest* request,
    v1::HitStatsResponse* response) {
  return Answer(
      context, "HitStats",
      [&](const Caller&) { return history_->HitStats(*request); }, response);
}

grpc::ServerUnaryReactor* HistoryService::FindPastTransfers(
    grpc::CallbackServerContext* context,
    const v1::FindPastTransfersRequest* request,
    v1::QueryHitsResponse* response) {
  return Answer(
      context, "FindPastTransfers",
      [&](const Caller&) { return history_->FindPastTransfers(*request); },
      response);
}

grpc::ServerUnaryReactor* HistoryService::RecordOutcome(
    grpc::CallbackServerContext* context,
    const v1::RecordOutcomeRequest* request, v1::Hit* response) {
  return Answer(
      context, "RecordOutcome",
      [&](const Caller& caller) {
        return history_->RecordOutcome(*request, caller.Id());
      },
      response);
}

}  // namespace fraudgate::service
