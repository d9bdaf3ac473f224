// The screening history of a cluster in one place (DESIGN §9): every node
// publishes the screening records it writes to the JetStream stream
// FRAUDGATE_HITS, and a history node (`serve --role-history`) stores the
// other nodes' records in its own store (HitStore::PutReplicated), so that
// QueryHits, HitStats and FindPastTransfers there see every node's
// screenings. FindPastTransfers finds other nodes' unmatched screenings only
// when every node has the same beneficiary hash key (DESIGN §3).
//
// Publishing never slows screening: records are queued and published by a
// background thread, in batches whose answers it awaits; a batch the stream
// did not wholly store is published again (the hit id de-duplicates), so
// records wait out an election. While more than `max_queued` wait (the
// cluster is away for long), new ones are dropped and counted; the queue is
// in memory, so a crash loses what waits in it for the history node. Each
// node keeps its own records either way. The history node follows the
// stream from the position kept with what it stored (stream_follower.h), so
// it resumes where it stopped; a gap is read again, and records the stream
// removed (past its age or size limit) before they were read are logged as
// lost (`cluster_hits_lost`). A record published again after the stream's
// 2-minute de-duplication window is in the stream twice; the history node
// stores it once.
//
// Thread safety: thread-safe.
#ifndef FRAUDGATE_CLUSTER_HIT_FEED_H_
#define FRAUDGATE_CLUSTER_HIT_FEED_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "cluster/jetstream.h"
#include "cluster/stream_follower.h"
#include "fraudgate/v1/storage.pb.h"
#include "service/log.h"
#include "store/hit_store.h"

namespace fraudgate::cluster {

struct HitFeedOptions {
  // This node's name (see ClusterListOptions::node). Required.
  std::string node;
  // FRAUDGATE_HITS on fraudgate.hits, 3 copies, records kept 7 days and
  // at most 8 GiB (the oldest go first): the list's stream shares the
  // servers' storage and must never run out.
  StreamSpec stream = {"FRAUDGATE_HITS", "fraudgate.hits", 3,
                       absl::Hours(24 * 7), int64_t{8} << 30};
  // Store the other nodes' records here (the history role). Default false.
  bool history = false;
  // Records waiting to be published before new ones are dropped.
  // Default 100000.
  size_t max_queued = 100'000;
  // Where problems are logged; must outlive the feed. Required.
  service::Logger* logger = nullptr;
};

class HitFeed {
 public:
  // `js` and `hits` must outlive the feed. INVALID_ARGUMENT for bad
  // options; UNAVAILABLE when a history node cannot read its position.
  static absl::StatusOr<std::unique_ptr<HitFeed>> Start(JetStream* js,
                                                        store::HitStore* hits,
                                                        HitFeedOptions options);
  // Publishes what is queued while the stream takes it, for up to 10 s (what
  // is left is dropped and counted), then stops.
  ~HitFeed();

  // Queues `record` (as written by this node) for FRAUDGATE_HITS. Never
  // blocks.
  void Publish(const v1::HitRecord& record);

  int64_t published() const { return published_.load(); }
  // Dropped because max_queued were waiting, or still unpublished at
  // shutdown.
  int64_t dropped() const { return dropped_.load(); }
  // Other nodes' records stored here (history role).
  int64_t stored() const { return stored_.load(); }
  // The FRAUDGATE_HITS sequence stored up to (history role).
  uint64_t position() const { return position_.load(); }

 private:
  HitFeed(JetStream* js, store::HitStore* hits, HitFeedOptions options)
      : js_(js), hits_(hits), options_(std::move(options)) {}
  void PublishLoop();
  bool HasWork() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return stop_ || !queue_.empty();
  }
  StreamFollower::Handled Store(const std::vector<StreamMessage>& messages,
                                StreamFollower& follower);

  JetStream* const js_;
  store::HitStore* const hits_;
  const HitFeedOptions options_;
  std::atomic<int64_t> published_{0}, dropped_{0}, stored_{0};
  std::atomic<uint64_t> position_{0};

  absl::Mutex mu_;
  std::deque<std::pair<std::string, std::string>> queue_  // id, bytes
      ABSL_GUARDED_BY(mu_);
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread publisher_;
  std::unique_ptr<StreamFollower> follower_;  // history role only
};

}  // namespace fraudgate::cluster

#endif  // FRAUDGATE_CLUSTER_HIT_FEED_H_
