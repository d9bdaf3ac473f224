// The screening history of a cluster in one place (DESIGN §9): every node
// publishes the screening records it writes to the JetStream stream
// FRAUDGATE_HITS, and a history node (`serve --role-history`) stores the
// other nodes' records in its own store (HitStore::PutReplicated), so that
// QueryHits, HitStats and FindPastTransfers there see every node's
// screenings. FindPastTransfers finds other nodes' unmatched screenings only
// when every node has the same beneficiary hash key (DESIGN §3).
//
// Publishing never slows screening and loses nothing: each record a node
// writes is queued in its store's hits outbox in the same write
// (StoreOptions::hits_outbox, HitStore::ReadOutbox), and a background
// thread publishes the outbox in order, in batches whose answers it awaits,
// removing a batch from the outbox only once the stream stored all of it. A
// batch not wholly stored is published again (the hit id de-duplicates), so
// records wait out an election, a cluster away for hours (on this node's
// disk), a restart or a process crash of the node (a power loss can take
// the last unsynced records with their outbox entries). Only a record that
// retention removed before it was published, or that cannot be read or
// published at all, is dropped (counted; logged when refused). The history node
// follows the stream from the position kept with what it stored
// (stream_follower.h), so it resumes where it stopped; a gap is read again, and
// records the stream removed (past its age or size limit) before they were read
// are logged as lost (`cluster_hits_lost`). A record published again after the
// stream's 2-minute de-duplication window is in the stream twice; the history
// node stores it once.
//
// Thread safety: thread-safe.
#ifndef FRAUDGATE_CLUSTER_HIT_FEED_H_
#define FRAUDGATE_CLUSTER_HIT_FEED_H_

#include <atomic>
#include <cstdint>
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
  // Where problems are logged; must outlive the feed. Required.
  service::Logger* logger = nullptr;
};

class HitFeed {
 public:
  // `js` and `hits` must outlive the feed; `hits` was opened with an
  // outbox. INVALID_ARGUMENT for bad options; FAILED_PRECONDITION when
  // `hits` has no outbox; UNAVAILABLE when the outbox or a history node's
  // position cannot be read.
  static absl::StatusOr<std::unique_ptr<HitFeed>> Start(JetStream* js,
                                                        store::HitStore* hits,
                                                        HitFeedOptions options);
  // Publishes the outbox while the stream takes it, for up to 10 s (what
  // is left stays in the outbox for the next start), then stops.
  ~HitFeed();

  // Says that the outbox has new records, so they go out at once rather
  // than at the next look (every 500 ms). Never blocks.
  void Wake();

  int64_t published() const { return published_.load(); }
  // Records not published: removed by retention first, unreadable, or
  // refused by the stream for good (over its max_payload).
  int64_t dropped() const { return dropped_.load(); }
  // Other nodes' records stored here (history role).
  int64_t stored() const { return stored_.load(); }
  // The FRAUDGATE_HITS sequence stored up to (history role).
  uint64_t position() const { return position_.load(); }

 private:
  HitFeed(JetStream* js, store::HitStore* hits, HitFeedOptions options)
      : js_(js), hits_(hits), options_(std::move(options)) {}
  void PublishLoop();
  // Publishes `entries` and waits for the stream's answers: OK once it
  // stored them all but the `*refused` that no retry would publish.
  absl::Status PublishBatch(
      const std::vector<store::HitStore::OutboxEntry>& entries,
      int64_t* refused);
  bool HasWork() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return stop_ || woken_;
  }
  StreamFollower::Handled Store(const std::vector<StreamMessage>& messages,
                                StreamFollower& follower);

  JetStream* const js_;
  store::HitStore* const hits_;
  const HitFeedOptions options_;
  std::atomic<int64_t> published_{0}, dropped_{0}, stored_{0};
  std::atomic<uint64_t> position_{0};

  absl::Mutex mu_;
  bool woken_ ABSL_GUARDED_BY(mu_) = false;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread publisher_;
  std::unique_ptr<StreamFollower> follower_;  // history role only
};

}  // namespace fraudgate::cluster

#endif  // FRAUDGATE_CLUSTER_HIT_FEED_H_
