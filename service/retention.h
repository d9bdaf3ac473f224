// Retention of the screening history (issue 4): a background job that removes
// screenings older than the configured retention, with their index entries,
// through store::HitStore::RemoveExpired. Screenings that matched the
// blocklist ("hits") are kept longer than screenings that matched nothing.
//
// Thread safety: RunOnce may be called from any thread; the background thread
// started by Start() runs it every `interval` until the job is destroyed.
#ifndef FRAUDGATE_SERVICE_RETENTION_H_
#define FRAUDGATE_SERVICE_RETENTION_H_

#include <atomic>
#include <functional>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "service/log.h"
#include "store/hit_store.h"

namespace fraudgate::service {

struct RetentionOptions {
  // How long a screening that matched the blocklist is kept. Default 400 days.
  absl::Duration hit_retention = absl::Hours(24 * 400);
  // How long a screening that matched nothing (kept only as a keyed hash of
  // its beneficiary, for FindPastTransfers) is kept. Default 90 days.
  absl::Duration unmatched_retention = absl::Hours(24 * 90);
  // Time between two runs of the background job. Default 1 hour.
  absl::Duration interval = absl::Hours(1);
};

// INVALID_ARGUMENT naming the field unless every duration is positive.
absl::Status ValidateRetentionOptions(const RetentionOptions& options);

class RetentionJob {
 public:
  // `hits` and `logger` must outlive the job. `clock` gives "now" for each
  // run. The background thread logs each run that removed something
  // (`retention_done`) or failed (`retention_failed`).
  RetentionJob(store::HitStore* hits, RetentionOptions options,
               std::function<absl::Time()> clock, Logger* logger);
  // Stops the background thread (waiting for a run in progress).
  ~RetentionJob();

  // Starts the background thread: a run at once, then one every interval.
  // Call at most once.
  void Start();

  // One run: removes what is past retention at clock(). Returns the number of
  // screenings removed; a store error leaves the rest for the next run.
  absl::StatusOr<int64_t> RunOnce();

  // Screenings removed by all runs so far.
  int64_t removed() const { return removed_.load(); }

 private:
  store::HitStore* const hits_;
  const RetentionOptions options_;
  const std::function<absl::Time()> clock_;
  Logger* const logger_;
  std::atomic<int64_t> removed_{0};
  absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace fraudgate::service

#endif  // FRAUDGATE_SERVICE_RETENTION_H_
