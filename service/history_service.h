// fraudgate.v1.HistoryService over the callback API (DESIGN §6): analysts'
// search of the screening history.
// Thread safety: handlers run concurrently on gRPC's callback threads.
#ifndef FRAUDGATE_SERVICE_HISTORY_SERVICE_H_
#define FRAUDGATE_SERVICE_HISTORY_SERVICE_H_

#include "fraudgate/v1/fraudgate.grpc.pb.h"
#include "store/store.h"

namespace fraudgate::service {

class HistoryService final : public v1::HistoryService::CallbackService {
 public:
  // `store` must outlive the service.
  explicit HistoryService(store::Store* store) : store_(store) {}

  // Newest first. `identifier` accepts any input form. INVALID_ARGUMENT for a
  // bad identifier, page_size outside 0..1000 (0 means 100), from >= to, or a
  // malformed page_token.
  grpc::ServerUnaryReactor* QueryHits(grpc::CallbackServerContext* context,
                                      const v1::QueryHitsRequest* request,
                                      v1::QueryHitsResponse* response) override;

 private:
  store::Store* const store_;
};

}  // namespace fraudgate::service

#endif  // FRAUDGATE_SERVICE_HISTORY_SERVICE_H_
