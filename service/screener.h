// Screening of one transfer, independent of gRPC: validate the request,
// normalize every identifier in it, look them all up with one MultiGet, score,
// and record the hit before the answer is returned (ScreenAsync: before the
// answer is handed over).
//
// Error contract: INVALID_ARGUMENT naming the field for bad input;
// UNAVAILABLE whenever the store could not be read or the hit could not be
// recorded — never an ALLOW that was not checked.
//
// Thread safety: Screen() may be called concurrently.
#ifndef FRAUDGATE_SERVICE_SCREENER_H_
#define FRAUDGATE_SERVICE_SCREENER_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "core/identifier.h"
#include "core/scoring.h"
#include "fraudgate/v1/fraudgate.pb.h"
#include "service/probe_detector.h"
#include "store/store.h"

namespace fraudgate::service {

struct ScreenerOptions {
  // Points, boosts and thresholds. Default: DESIGN §4.
  core::ScoringOptions scoring;
  // Source of the current time. Default: absl::Now.
  std::function<absl::Time()> clock = [] { return absl::Now(); };
  // Asked before every lookup: while it is not OK, screenings are refused
  // with its error (UNAVAILABLE), e.g. on a cluster node whose list is stale
  // (ListWriter::Fresh). Default: none.
  std::function<absl::Status()> list_fresh;
  // Called with each new screening record once it is written (not for a
  // repeated transfer), on the store's writer thread: it must not block.
  // Default: none.
  std::function<void(const v1::HitRecord&)> hit_recorded;
};

// Longest transfer_id accepted.
inline constexpr size_t kMaxTransferIdBytes = 128;
// Most contacts screened per transfer.
inline constexpr int kMaxContacts = 16;

class Screener {
 public:
  // `store`, and `probes` when not null, must outlive the Screener. Every new
  // screening's beneficiary is reported to `probes`.
  Screener(store::Store* store, ScreenerOptions options,
           ProbeDetector* probes = nullptr);

  // Screens `request` for `caller` (the caller identity recorded in the hit and
  // the scope of transfer_id idempotency). A transfer_id the caller already
  // screened returns the recorded response, not a new one (the check is made
  // where the hit is written, so a first screening costs no extra read).
  // Waits for the store's writer thread: INTERNAL when called on it.
  absl::StatusOr<v1::ScreenTransferResponse> Screen(
      const std::string& caller, const v1::ScreenTransferRequest& request);

  using ScreenDone =
      std::function<void(absl::StatusOr<v1::ScreenTransferResponse>)>;
  // Screen without waiting for the hit to be recorded: `done` gets what
  // Screen would return. It runs at once on this thread when the request is
  // invalid or the lookup failed, and otherwise on the store's writer thread
  // once the hit is in the WAL (store::HitStore::PutIfAbsentAsync), so it
  // must not block. `request` is not used after this returns.
  void ScreenAsync(const std::string& caller,
                   const v1::ScreenTransferRequest& request, ScreenDone done);

  // A screening scored and ready to be recorded.
  struct Screening {
    v1::HitRecord record;
    std::vector<std::string> index_keys;        // identifiers, in clear
    std::vector<std::string> beneficiary_keys;  // kept as keyed hashes
    std::optional<core::Identifier> observed;   // for probes_
  };
  // Validates, looks up and scores `request`: ScreenAsync's work before the
  // write, whose errors `done` gets at once. Public for the benchmark of
  // each stage (bench/screening_bench); writes nothing.
  absl::StatusOr<Screening> Prepare(const std::string& caller,
                                    const v1::ScreenTransferRequest& request);

 private:
  store::Store* const store_;
  const ScreenerOptions options_;
  ProbeDetector* const probes_;
};

}  // namespace fraudgate::service

#endif  // FRAUDGATE_SERVICE_SCREENER_H_
