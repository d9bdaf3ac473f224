// How far this node's clock is from the NATS servers' (DESIGN §9). A node
// stamps each police event with its own time, and every node skips an event
// the stream stored more than 2 minutes after that time (cluster_list.h):
// the events of a node whose clock is far behind the servers' would be
// acknowledged, then skipped everywhere. So a node measures its clock
// against theirs and writes only while the two agree.
//
// A background thread publishes a probe to the stream FRAUDGATE_CLOCK
// (fraudgate.clock, probes kept a minute) and reads back the time the
// stream stored it: the servers' clock at a moment between this node's
// readings just before and just after the publish. The offset is the stored
// time minus the middle of the two readings, known to within half their
// distance; a probe slower than a second is not used. Every `interval`,
// and every second until the first probe succeeds; a probe that fails is
// logged (`cluster_clock_probe_failed`, once for each kind of failure).
// The servers' clocks are taken to agree with each other (NTP): the probe
// is stored by FRAUDGATE_CLOCK's leader, the events by FRAUDGATE_LIST's.
//
// Thread safety: thread-safe.
#ifndef FRAUDGATE_CLUSTER_CLOCK_CHECK_H_
#define FRAUDGATE_CLUSTER_CLOCK_CHECK_H_

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "cluster/jetstream.h"
#include "cluster/problem_log.h"
#include "cluster/stream_follower.h"
#include "service/log.h"

namespace fraudgate::cluster {

struct ClockCheckOptions {
  // This node's name: the probes' message ids start with it. Required.
  std::string node;
  // FRAUDGATE_CLOCK on fraudgate.clock, 3 copies (when this node makes
  // it), probes removed after a minute.
  StreamSpec stream = {"FRAUDGATE_CLOCK", "fraudgate.clock", 3,
                       absl::Minutes(1)};
  // How often the offset is measured again. Default 10 s.
  absl::Duration interval = absl::Seconds(10);
  // The largest offset, either way, at which Check() passes. Default 30 s
  // (events are skipped as late at 2 minutes).
  absl::Duration max_offset = absl::Seconds(30);
  // How long a measurement stands when no probe succeeds (the servers out
  // of reach). Default 2 minutes.
  absl::Duration max_age = absl::Minutes(2);
  // This node's clock, the one that stamps its events. Default absl::Now;
  // tests skew it.
  std::function<absl::Time()> clock = [] { return absl::Now(); };
  // Where a clock found off (and right again) is logged; must outlive the
  // check. Required.
  service::Logger* logger = nullptr;
};

class ClockCheck {
 public:
  // Starts measuring; returns at once. `js` must outlive the object.
  // INVALID_ARGUMENT without a node or logger.
  static absl::StatusOr<std::unique_ptr<ClockCheck>> Start(
      JetStream* js, ClockCheckOptions options);
  ~ClockCheck();

  // OK while the last measurement is at most max_age old and its offset is
  // within max_offset; else UNAVAILABLE saying which. Waits up to `until`
  // for the first measurement.
  absl::Status Check(absl::Time until) const;
  // The servers' clock minus this node's, as last measured; nullopt before
  // the first measurement.
  std::optional<absl::Duration> offset() const;
  // How long ago that was; nullopt before the first measurement.
  std::optional<absl::Duration> age() const;

 private:
  struct Measurement {
    absl::Duration offset;
    absl::Duration error;  // the offset is within +- this
    // When, on a clock that only goes forward (a step of the wall clock
    // does not make an old measurement look new).
    std::chrono::steady_clock::time_point measured_at;
  };
  ClockCheck(JetStream* js, ClockCheckOptions options);
  void Run();
  // How old last_ is; with mu_ held and last_ set.
  absl::Duration AgeLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // One probe; false when it failed or was too slow to use.
  bool Probe();

  JetStream* const js_;
  const ClockCheckOptions options_;
  const std::string id_prefix_;
  uint64_t next_id_ = 1;      // the thread's
  bool stream_made_ = false;  // the thread's
  ProblemLog problems_{options_.logger, "cluster_clock_probe_failed", ""};

  mutable absl::Mutex mu_;
  std::optional<Measurement> last_ ABSL_GUARDED_BY(mu_);
  bool off_ ABSL_GUARDED_BY(mu_) = false;  // last logged as off
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace fraudgate::cluster

#endif  // FRAUDGATE_CLUSTER_CLOCK_CHECK_H_
