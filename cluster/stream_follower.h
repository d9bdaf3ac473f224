// Follows a JetStream stream from a position its user keeps (DESIGN §9): a
// background thread makes the stream when it is missing and the position is
// 0 (a stream missing under a later position was lost: it is not made
// again, and the user is never told it caught up), a durable pull consumer
// that starts after the user's position (JetStream::Consume: the one of that
// name when it stands there, as after a clean restart, else a new one
// replacing it: the position kept with what was done is the truth, so a
// restarted process resumes exactly where it stopped, and one restored from
// a backup, where the backup stopped), and hands what it reads, in order, to
// the user. It retries what fails (the cluster electing a leader, a server
// restarting), and remakes the consumer when the user asks (a gap) or when it
// stops delivering while the stream is ahead (the same one again once
// JetStream has elected it a new leader, when it still stands there).
//
// Catching up: at most every 100 ms the follower asks the stream's leader
// for its last sequence, before reading; once the user's position reaches
// it, the user was current as of the asking. A stream whose last sequence is
// below the position (re-made, or lost messages) never counts as caught up.
// Used for FRAUDGATE_LIST (cluster_list.h) and FRAUDGATE_HITS (hit_feed.h).
//
// Thread safety: the callbacks run on the follower's thread, one at a time.
#ifndef FRAUDGATE_CLUSTER_STREAM_FOLLOWER_H_
#define FRAUDGATE_CLUSTER_STREAM_FOLLOWER_H_

#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "cluster/jetstream.h"
#include "service/log.h"

namespace fraudgate::cluster {

struct StreamSpec {
  std::string name;     // e.g. FRAUDGATE_LIST
  std::string subject;  // e.g. fraudgate.list
  int replicas = 3;     // when this process makes the stream
  // Messages older than this are removed; zero keeps everything.
  absl::Duration max_age = absl::ZeroDuration();
  // The oldest messages are removed past this many bytes; 0: no limit.
  int64_t max_bytes = 0;
};

class StreamFollower {
 public:
  // Returns the stream sequence of the last message handled.
  using Position = std::function<uint64_t()>;
  // Handles `messages` (in stream order; what is at or before the position
  // was delivered again) and keeps the new position with what it did.
  // Retries its own failures, using the follower's Sleep to wait. Returns
  // kStop when Sleep said the follower stops, kRemake to have the consumer
  // made again from the position (e.g. a message is missing), else
  // kContinue.
  enum class Handled { kContinue, kRemake, kStop };
  using Handle = std::function<Handled(const std::vector<StreamMessage>&,
                                       StreamFollower& follower)>;
  // Told, after a check of the stream's last sequence, that every message
  // up to it had been handled by `asked_at`.
  using CaughtUp = std::function<void(absl::Time asked_at)>;

  // Starts following `stream` with consumer `durable`. `js` and `logger`
  // must outlive the follower.
  StreamFollower(JetStream* js, StreamSpec stream, std::string durable,
                 service::Logger* logger, Position position, Handle handle,
                 CaughtUp caught_up = {});
  // Stops the thread: when the request in progress (up to a few seconds)
  // or `handle` returns.
  ~StreamFollower();

  // Waits `d`; false (at once) when the follower is stopping.
  bool Sleep(absl::Duration d);

 private:
  void Run();

  JetStream* const js_;
  const StreamSpec stream_;
  const std::string durable_;
  service::Logger* const logger_;
  const Position position_;
  const Handle handle_;
  const CaughtUp caught_up_;
  absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;  // last: started once the rest is set
};

}  // namespace fraudgate::cluster

#endif  // FRAUDGATE_CLUSTER_STREAM_FOLLOWER_H_
