// A cluster node's blocklist (DESIGN §9): police mutations are published to
// the replicated JetStream stream FRAUDGATE_LIST, and every node applies the
// stream, in order, to its own store (BlocklistStore::Apply at the stream
// sequence, which becomes the list version), so every node builds the same
// records and audit chain.
//
// A StreamFollower (stream_follower.h) applies the stream with consumer
// "list-<node>" from the store's stream position, which each event's apply
// moves in the same write as what it changed.
//
// Freshness: the node is known current when the stream's last sequence,
// asked of the stream's leader, is one it has applied. Fresh() is
// UNAVAILABLE until the first time that is so, and whenever it was last so
// more than `max_staleness` ago: then the node must not answer screenings.
//
// Thread safety: thread-safe.
#ifndef FRAUDGATE_CLUSTER_CLUSTER_LIST_H_
#define FRAUDGATE_CLUSTER_CLUSTER_LIST_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "cluster/clock_check.h"
#include "cluster/jetstream.h"
#include "cluster/stream_follower.h"
#include "service/list_writer.h"
#include "service/log.h"
#include "store/blocklist_store.h"

namespace fraudgate::cluster {

struct ClusterListOptions {
  // This node's name, unique in the cluster: letters, digits, '-' and '_'.
  // Its consumer is "list-<node>". Required.
  std::string node;
  // The stream: FRAUDGATE_LIST on fraudgate.list, 3 copies (when this node
  // makes it), kept for ever.
  StreamSpec stream = {"FRAUDGATE_LIST", "fraudgate.list", 3};
  // How far behind the node may be known to be before Fresh() fails.
  // Longer than a stream leader election (5-9 s), so that screening goes on
  // through one. Default 30 s.
  absl::Duration max_staleness = absl::Seconds(30);
  // How long Write retries a publish the cluster does not take (e.g. during
  // an election; at most a minute), and how long it then waits for this
  // node to apply the event with wait_applied. Each also ends at the write's
  // deadline. Defaults 30 s, 30 s.
  absl::Duration publish_timeout = absl::Seconds(30);
  absl::Duration apply_timeout = absl::Seconds(30);
  // Writes are refused while this node's clock is further than this from
  // the NATS servers' (clock_check.h). With publish_timeout, under the
  // 2 minutes after which an event is skipped as late. Default 30 s.
  absl::Duration max_clock_offset = absl::Seconds(30);
  // This node's clock as it stamps events (ClockCheckOptions::clock).
  // Default absl::Now; tests skew it.
  std::function<absl::Time()> clock = [] { return absl::Now(); };
  // Where problems are logged; must outlive the object. Required.
  service::Logger* logger = nullptr;
};

// INVALID_ARGUMENT naming the field for options Start would refuse.
absl::Status ValidateClusterListOptions(const ClusterListOptions& options);

class ClusterList final : public service::ListWriter {
 public:
  // Starts following the stream; returns at once. `js` and `list` must
  // outlive the object. INVALID_ARGUMENT for bad options; FAILED_PRECONDITION
  // when `list` was written outside a cluster.
  static absl::StatusOr<std::unique_ptr<ClusterList>> Start(
      JetStream* js, store::BlocklistStore* list, ClusterListOptions options);
  // Ends the Writes in flight (UNAVAILABLE, when they wait), then stops
  // following the stream.
  ~ClusterList() override;

  // Publishes `event` with a message id of its own, retrying through
  // elections with the same id (so a publish that was stored but whose
  // answer was lost is stored once), for up to publish_timeout. UNAVAILABLE
  // (or DEADLINE_EXCEEDED) then means "not acknowledged": the event may still
  // be stored and applied later. An event the stream stores more than 2
  // minutes after its `at` (a publish that was reported failed, then sent
  // anyway) is skipped by every node alike (with wait_applied: ABORTED);
  // so a node whose clock is more than max_clock_offset from the NATS
  // servers' (or not compared with theirs for 2 minutes) refuses to write:
  // UNAVAILABLE, before publishing. A message over the servers' max_payload
  // is INVALID_ARGUMENT. See ListWriter::Write.
  absl::StatusOr<service::Written> Write(
      const v1::ListEvent& event,
      const service::WriteOptions& options) override;
  absl::Status Fresh() const override;

  // The stream sequence of the last event applied here.
  uint64_t applied() const { return list_->stream_position(); }
  // When this node was last known to have applied the whole stream;
  // InfinitePast until then.
  absl::Time current_at() const;
  // The NATS servers' clock minus this node's, as last measured.
  std::optional<absl::Duration> clock_offset() const {
    return clock_->offset();
  }
  // How long ago it was measured; nullopt before the first time.
  std::optional<absl::Duration> clock_checked_age() const {
    return clock_->age();
  }

 private:
  // One Write waiting for this node to apply its event.
  struct Waiter {
    bool done = false;
    absl::Status refused;  // not OK when every node skipped the event
    store::EventResult result;
  };

  ClusterList(JetStream* js, store::BlocklistStore* list,
              ClusterListOptions options);
  // Applies one message, retrying store failures until it is applied or the
  // follower stops. False when stopping.
  bool ApplyMessage(const StreamMessage& message, StreamFollower& follower);

  JetStream* const js_;
  store::BlocklistStore* const list_;
  const ClusterListOptions options_;
  const std::string id_prefix_;  // node and a random start tag
  std::atomic<uint64_t> next_id_{1};
  // current_at(), in microseconds since the epoch; INT64_MIN until then.
  std::atomic<int64_t> current_at_us_{INT64_MIN};

  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Waiter*> waiters_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  int writes_in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  std::unique_ptr<ClockCheck> clock_;
  std::unique_ptr<StreamFollower> follower_;  // last: uses the above
};

}  // namespace fraudgate::cluster

#endif  // FRAUDGATE_CLUSTER_CLUSTER_LIST_H_
