#include "cluster/hit_feed.h"

#include <utility>
#include <vector>

#include "core/text.h"

namespace fraudgate::cluster {
namespace {

// Records published before their answers are awaited.
constexpr size_t kPublishBatch = 1000;
// How long the queue is still published at shutdown.
constexpr absl::Duration kDrain = absl::Seconds(10);

}  // namespace

absl::StatusOr<std::unique_ptr<HitFeed>> HitFeed::Start(
    JetStream* js, store::HitStore* hits, HitFeedOptions options) {
  if (options.node.empty() || options.logger == nullptr ||
      options.max_queued == 0) {
    return absl::InvalidArgumentError(
        "cluster: a hit feed needs a node name, a logger and room to queue");
  }
  if (options.stream.max_age <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "cluster.hits_stream_max_age_hours: must be > 0");
  }
  std::unique_ptr<HitFeed> feed(new HitFeed(js, hits, std::move(options)));
  HitFeed* p = feed.get();
  feed->publisher_ = std::thread([p] { p->PublishLoop(); });
  if (p->options_.history) {
    auto position = hits->ReplicatedPosition();
    if (!position.ok()) return position.status();
    p->position_ = *position;
    p->follower_ = std::make_unique<StreamFollower>(
        js, p->options_.stream, core::StrCat("hits-", p->options_.node),
        p->options_.logger, [p] { return p->position_.load(); },
        [p](const std::vector<StreamMessage>& messages,
            StreamFollower& follower) { return p->Store(messages, follower); });
  }
  return feed;
}

HitFeed::~HitFeed() {
  follower_.reset();
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  publisher_.join();
}

void HitFeed::Publish(const v1::HitRecord& record) {
  absl::MutexLock lock(&mu_);
  if (queue_.size() >= options_.max_queued) {
    ++dropped_;
    return;
  }
  queue_.emplace_back(record.hit().hit_id(), record.SerializeAsString());
}

void HitFeed::PublishLoop() {
  // The stream is made once (if missing) before the first publish; until
  // then, and while the cluster is away, records wait in the queue.
  bool stream_ready = false;
  std::string last_problem;
  auto problem = [&](const absl::Status& status) {
    if (status.ToString() == last_problem) return;
    last_problem = status.ToString();
    options_.logger->Log(service::LogLevel::kWarning, "cluster_unavailable",
                         service::LogFields()
                             .Add("stream", options_.stream.name)
                             .Add("error", last_problem));
  };
  std::vector<std::pair<std::string, std::string>> batch;
  absl::Time drain_until = absl::InfiniteFuture();
  while (true) {
    bool stopping;
    {
      absl::MutexLock lock(&mu_);
      if (batch.empty()) {
        mu_.AwaitWithTimeout(absl::Condition(this, &HitFeed::HasWork),
                             absl::Milliseconds(500));
        while (!queue_.empty() && batch.size() < kPublishBatch) {
          batch.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
      }
      stopping = stop_;
      if (stopping && drain_until == absl::InfiniteFuture()) {
        drain_until = absl::Now() + kDrain;
      }
      if (stopping &&
          (batch.empty() || !stream_ready || absl::Now() > drain_until)) {
        dropped_ += static_cast<int64_t>(batch.size() + queue_.size());
        return;
      }
    }
    if (!stream_ready) {
      absl::Status s =
          js_->AddStream(options_.stream.name, options_.stream.subject,
                         options_.stream.replicas, options_.stream.max_age,
                         options_.stream.max_bytes);
      if (!s.ok()) {
        problem(s);
        absl::SleepFor(absl::Milliseconds(500));
        continue;
      }
      stream_ready = true;
      continue;
    }
    // The batch is published without waiting for each answer, then the
    // answers are awaited; a batch not wholly stored is published again (the
    // hit id de-duplicates what was stored the first time), so records wait
    // out an election instead of being lost.
    const int64_t failures_before = js_->async_failures();
    absl::Status s;
    for (const auto& [id, bytes] : batch) {
      s = js_->PublishAsync(options_.stream.subject, bytes, id);
      if (!s.ok()) break;
    }
    if (s.ok()) s = js_->FlushAsync(absl::Seconds(5));
    if (s.ok() && js_->async_failures() != failures_before) {
      s = absl::UnavailableError("the stream did not store every record");
    }
    if (s.ok()) {
      published_ += static_cast<int64_t>(batch.size());
      batch.clear();
      last_problem.clear();
      continue;
    }
    problem(s);
    stream_ready = false;  // made again if it was lost
    if (stopping) {        // no more tries at shutdown
      absl::MutexLock lock(&mu_);
      dropped_ += static_cast<int64_t>(batch.size() + queue_.size());
      return;
    }
    absl::SleepFor(absl::Milliseconds(500));
  }
}

StreamFollower::Handled HitFeed::Store(
    const std::vector<StreamMessage>& messages, StreamFollower& follower) {
  std::vector<v1::HitRecord> records;
  records.reserve(messages.size());
  uint64_t last = position_.load();
  for (const StreamMessage& message : messages) {
    if (message.sequence <= last) continue;  // delivered again
    if (message.sequence != last + 1) {
      // A gap: the missing records come again (read from the gap on),
      // unless the stream no longer has them (removed by age or size).
      auto first = js_->FirstSequence(options_.stream.name);
      if (!first.ok() || *first <= last + 1) break;
      options_.logger->Log(service::LogLevel::kError, "cluster_hits_lost",
                           service::LogFields()
                               .Add("from", static_cast<int64_t>(last + 1))
                               .Add("to", static_cast<int64_t>(*first - 1)));
    }
    last = message.sequence;
    v1::HitRecord record;
    // A record this build cannot read is left out, not waited on: the
    // history is kept as fully as it can be, never stopped.
    if (!record.ParseFromString(message.data)) {
      options_.logger->Log(
          service::LogLevel::kError, "cluster_hit_unreadable",
          service::LogFields().Add("sequence",
                                   static_cast<int64_t>(message.sequence)));
      continue;
    }
    records.push_back(std::move(record));
  }
  const bool gap = !messages.empty() && messages.back().sequence > last;
  if (last == position_.load()) {
    return gap ? StreamFollower::Handled::kRemake
               : StreamFollower::Handled::kContinue;
  }
  for (int attempt = 1;; ++attempt) {
    auto added = hits_->PutReplicated(records, last);
    if (added.ok()) {
      stored_ += static_cast<int64_t>(*added);
      position_ = last;
      return gap ? StreamFollower::Handled::kRemake
                 : StreamFollower::Handled::kContinue;
    }
    if (attempt % 60 == 1) {
      options_.logger->Log(
          service::LogLevel::kError, "cluster_hits_store_failed",
          service::LogFields().Add("error", added.status().ToString()));
    }
    if (!follower.Sleep(absl::Seconds(1))) {
      return StreamFollower::Handled::kStop;
    }
  }
}

}  // namespace fraudgate::cluster
