// fraudgate.v1.HistoryService over the callback API (DESIGN §6): analysts'
// search of the screening history.
// Thread safety: handlers run concurrently on gRPC's callback threads.
#ifndef FRAUDGATE_SERVICE_HISTORY_SERVICE_H_
#define FRAUDGATE_SERVICE_HISTORY_SERVICE_H_

#include <functional>

#include "absl/time/time.h"
#include "fraudgate/v1/fraudgate.grpc.pb.h"
#include "store/store.h"

namespace fraudgate::service {

// Most screenings one HitStats call reads.
inline constexpr int64_t kMaxStatsScanned = 1'000'000;

class HistoryService final : public v1::HistoryService::CallbackService {
 public:
  // `store` must outlive the service.
  HistoryService(store::Store* store, std::function<absl::Time()> clock)
      : store_(store), clock_(std::move(clock)) {}

  // Newest first. `identifier` accepts any input form. INVALID_ARGUMENT for a
  // bad identifier, page_size outside 0..1000 (0 means 100), from >= to, or a
  // malformed page_token.
  grpc::ServerUnaryReactor* QueryHits(grpc::CallbackServerContext* context,
                                      const v1::QueryHitsRequest* request,
                                      v1::QueryHitsResponse* response) override;

  // NOT_FOUND for an unknown or malformed hit_id.
  grpc::ServerUnaryReactor* GetHit(grpc::CallbackServerContext* context,
                                   const v1::GetHitRequest* request,
                                   v1::Hit* response) override;

  // INVALID_ARGUMENT for from >= to or top_n outside 0..1000. Scans at most
  // kMaxStatsScanned screenings (newest first) and says so in `truncated`.
  grpc::ServerUnaryReactor* HitStats(grpc::CallbackServerContext* context,
                                     const v1::HitStatsRequest* request,
                                     v1::HitStatsResponse* response) override;

  // INVALID_ARGUMENT for a missing or bad identifier, from >= to, page_size
  // outside 0..1000 or a malformed page_token.
  grpc::ServerUnaryReactor* FindPastTransfers(
      grpc::CallbackServerContext* context,
      const v1::FindPastTransfersRequest* request,
      v1::QueryHitsResponse* response) override;

  // The caller is recorded as `outcome_by`. INVALID_ARGUMENT without an
  // outcome or with a note over 2000 bytes; NOT_FOUND for an unknown hit.
  grpc::ServerUnaryReactor* RecordOutcome(
      grpc::CallbackServerContext* context,
      const v1::RecordOutcomeRequest* request, v1::Hit* response) override;

 private:
  store::Store* const store_;
  const std::function<absl::Time()> clock_;
};

}  // namespace fraudgate::service

#endif  // FRAUDGATE_SERVICE_HISTORY_SERVICE_H_
