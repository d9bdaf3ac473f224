// The analysts' operations on the screening history (DESIGN §6
// HistoryService), apart from any transport: the gRPC HistoryService and the
// HTTP analyst console both answer through this class, so they validate and
// answer alike.
//
// Errors: INVALID_ARGUMENT naming the field, NOT_FOUND, and UNAVAILABLE /
// DATA_LOSS from the store.
// Thread safety: all methods are thread-safe.
#ifndef FRAUDGATE_SERVICE_HISTORY_H_
#define FRAUDGATE_SERVICE_HISTORY_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "fraudgate/v1/fraudgate.pb.h"
#include "store/store.h"

namespace fraudgate::service {

// Most screenings one HitStats call reads.
inline constexpr int64_t kMaxStatsScanned = 1'000'000;

// HitStatsResponse.by_day counts days in Vietnam's time (UTC+7, no DST).
absl::TimeZone StatsTimeZone();

class History {
 public:
  // `store` must outlive this object; `clock` gives "now".
  History(store::Store* store, std::function<absl::Time()> clock)
      : store_(store), clock_(std::move(clock)) {}

  // Newest first. `identifier` accepts any input form. INVALID_ARGUMENT for a
  // bad identifier, decision or min_score, page_size outside 0..1000 (0
  // means 100), from >= to, or a malformed page_token.
  absl::StatusOr<v1::QueryHitsResponse> QueryHits(
      const v1::QueryHitsRequest& request) const;

  // NOT_FOUND for an unknown or malformed hit_id.
  absl::StatusOr<v1::Hit> GetHit(const v1::GetHitRequest& request) const;

  // Counts in [from, to) (default: the 24 hours before now) by decision, by
  // day and by identifier (top_n, default 10). INVALID_ARGUMENT for from >= to
  // or top_n outside 0..1000. Scans at most kMaxStatsScanned screenings,
  // newest first, and says so in `truncated`.
  absl::StatusOr<v1::HitStatsResponse> HitStats(
      const v1::HitStatsRequest& request) const;

  // Earlier screenings whose beneficiary is the identifier. INVALID_ARGUMENT
  // for a missing or bad identifier, from >= to, page_size outside 0..1000 or
  // a malformed page_token.
  absl::StatusOr<v1::QueryHitsResponse> FindPastTransfers(
      const v1::FindPastTransfersRequest& request) const;

  // Records `caller`'s verdict. INVALID_ARGUMENT without an outcome or with a
  // note over 2000 bytes; NOT_FOUND for an unknown hit.
  absl::StatusOr<v1::Hit> RecordOutcome(const v1::RecordOutcomeRequest& request,
                                        const std::string& caller);

 private:
  store::Store* const store_;
  const std::function<absl::Time()> clock_;
};

}  // namespace fraudgate::service

#endif  // FRAUDGATE_SERVICE_HISTORY_H_
