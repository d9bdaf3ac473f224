#include "cluster/hit_feed.h"

#include <utility>
#include <vector>

#include "cluster/problem_log.h"
#include "core/status_macros.h"
#include "core/text.h"

namespace fraudgate::cluster {
namespace {

// Records published before their answers are awaited.
constexpr size_t kPublishBatch = 1000;
// How long the outbox is still published at shutdown.
constexpr absl::Duration kDrain = absl::Seconds(10);

}  // namespace

absl::StatusOr<std::unique_ptr<HitFeed>> HitFeed::Start(
    JetStream* js, store::HitStore* hits, HitFeedOptions options) {
  if (options.node.empty() || options.logger == nullptr) {
    return absl::InvalidArgumentError(
        "cluster: a hit feed needs a node name and a logger");
  }
  if (options.stream.max_age <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "cluster.hits_stream_max_age_hours: must be > 0");
  }
  // It publishes from the store's outbox.
  RETURN_IF_ERROR(hits->ReadOutbox(1).status());
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

void HitFeed::Wake() {
  absl::MutexLock lock(&mu_);
  woken_ = true;
}

void HitFeed::PublishLoop() {
  // The stream is made once (if missing) before the first publish; until
  // then, and while the cluster is away, records wait in the outbox.
  bool stream_ready = false;
  ProblemLog problems(options_.logger, "cluster_unavailable",
                      options_.stream.name);
  auto problem = [&](const absl::Status& s) { problems.Report(s); };
  absl::Time drain_until = absl::InfiniteFuture();
  bool more = true;  // the outbox may hold records: look before waiting
  while (true) {
    bool stopping;
    {
      absl::MutexLock lock(&mu_);
      if (!more) {
        mu_.AwaitWithTimeout(absl::Condition(this, &HitFeed::HasWork),
                             absl::Milliseconds(500));
      }
      woken_ = false;
      stopping = stop_;
    }
    more = false;
    if (stopping && drain_until == absl::InfiniteFuture()) {
      drain_until = absl::Now() + kDrain;
    }
    if (stopping && (!stream_ready || absl::Now() > drain_until)) return;
    if (!stream_ready) {
      absl::Status s =
          js_->AddStream(options_.stream.name, options_.stream.subject,
                         options_.stream.replicas, options_.stream.max_age,
                         options_.stream.max_bytes);
      if (!s.ok()) {
        problem(s);
        if (stopping) return;
        absl::SleepFor(absl::Milliseconds(500));
        continue;
      }
      stream_ready = true;
    }
    auto entries = hits_->ReadOutbox(kPublishBatch);
    if (!entries.ok()) {
      problem(entries.status());
      if (stopping) return;
      absl::SleepFor(absl::Milliseconds(500));
      continue;
    }
    if (entries->empty()) {
      if (stopping) return;
      continue;
    }
    int64_t refused = 0;
    absl::Status s = PublishBatch(*entries, &refused);
    // Only what the stream stored (or can never store) leaves the outbox.
    if (s.ok()) s = hits_->TrimOutbox(entries->back().sequence);
    if (s.ok()) {
      for (const store::HitStore::OutboxEntry& entry : *entries) {
        ++(entry.record.has_value() ? published_ : dropped_);
      }
      published_ -= refused;
      dropped_ += refused;
      problems.Clear();
      more = true;
      continue;
    }
    problem(s);
    stream_ready = false;  // made again if it was lost
    if (stopping) return;  // no more tries at shutdown: kept for next start
    absl::SleepFor(absl::Milliseconds(500));
  }
}

absl::Status HitFeed::PublishBatch(
    const std::vector<store::HitStore::OutboxEntry>& entries,
    int64_t* refused) {
  // Published without waiting for each answer, then the answers are
  // awaited.
  const int64_t failures_before = js_->async_failures();
  for (const store::HitStore::OutboxEntry& entry : entries) {
    if (!entry.record.has_value()) continue;  // removed by retention
    absl::Status s = js_->PublishAsync(options_.stream.subject,
                                       entry.record->SerializeAsString(),
                                       entry.record->hit().hit_id());
    if (s.code() == absl::StatusCode::kInvalidArgument) {
      // No retry mends it (over max_payload): it must not hold back the
      // records after it.
      options_.logger->Log(service::LogLevel::kError,
                           "cluster_hit_unpublishable",
                           service::LogFields()
                               .Add("hit_id", entry.record->hit().hit_id())
                               .Add("error", s.ToString()));
      ++*refused;
      continue;
    }
    RETURN_IF_ERROR(s);
  }
  RETURN_IF_ERROR(js_->FlushAsync(absl::Seconds(5)));
  if (js_->async_failures() != failures_before) {
    return absl::UnavailableError("the stream did not store every record");
  }
  return absl::OkStatus();
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
