// fraudgate.v1.HistoryService over the callback API (DESIGN §6): analysts'
// search of the screening history. Each handler answers through History,
// which states the contract of each method; the caller of RecordOutcome is
// recorded as `outcome_by`. Every handler first passes the call gate
// (UNAUTHENTICATED, PERMISSION_DENIED, RESOURCE_EXHAUSTED; see call_gate.h).
// Thread safety: handlers run concurrently on gRPC's callback threads.
#ifndef FRAUDGATE_SERVICE_HISTORY_SERVICE_H_
#define FRAUDGATE_SERVICE_HISTORY_SERVICE_H_

#include <string_view>

#include "fraudgate/v1/fraudgate.grpc.pb.h"
#include "service/call_gate.h"
#include "service/history.h"

namespace fraudgate::service {

class HistoryService final : public v1::HistoryService::CallbackService {
 public:
  // `history` and `gate` must outlive the service.
  HistoryService(History* history, CallGate* gate)
      : history_(history), gate_(gate) {}

  grpc::ServerUnaryReactor* QueryHits(grpc::CallbackServerContext* context,
                                      const v1::QueryHitsRequest* request,
                                      v1::QueryHitsResponse* response) override;
  grpc::ServerUnaryReactor* GetHit(grpc::CallbackServerContext* context,
                                   const v1::GetHitRequest* request,
                                   v1::Hit* response) override;
  grpc::ServerUnaryReactor* HitStats(grpc::CallbackServerContext* context,
                                     const v1::HitStatsRequest* request,
                                     v1::HitStatsResponse* response) override;
  grpc::ServerUnaryReactor* FindPastTransfers(
      grpc::CallbackServerContext* context,
      const v1::FindPastTransfersRequest* request,
      v1::QueryHitsResponse* response) override;
  grpc::ServerUnaryReactor* RecordOutcome(
      grpc::CallbackServerContext* context,
      const v1::RecordOutcomeRequest* request, v1::Hit* response) override;

 private:
  // Admits the call to `method`, then finishes with `call(caller)`, moved into
  // `response` when OK.
  template <typename Response, typename Call>
  grpc::ServerUnaryReactor* Answer(grpc::CallbackServerContext* context,
                                   std::string_view method, Call call,
                                   Response* response);

  History* const history_;
  CallGate* const gate_;
};

}  // namespace fraudgate::service

#endif  // FRAUDGATE_SERVICE_HISTORY_SERVICE_H_
