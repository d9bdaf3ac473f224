#include "cluster/cluster_list.h"

#include <climits>
#include <random>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_format.h"
#include "core/status_macros.h"
#include "core/text.h"
#include "proto/proto_time.h"

namespace fraudgate::cluster {
namespace {

// An event the stream stored this long after it was made is skipped by
// every node (ApplyMessage).
constexpr absl::Duration kLateEvent = absl::Minutes(2);

std::string RandomTag() {
  std::random_device random;
  return absl::StrFormat("%08x%08x", random(), random());
}

}  // namespace

absl::Status ValidateClusterListOptions(const ClusterListOptions& options) {
  if (options.node.empty() || options.node.size() > 64 ||
      options.node.find_first_not_of(
          "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") !=
          std::string::npos) {
    return absl::InvalidArgumentError(
        "cluster.node: required, at most 64 letters, digits, '-' or '_', "
        "unique in the cluster");
  }
  if (options.stream.replicas < 1 || options.stream.replicas > 5) {
    return absl::InvalidArgumentError("cluster.replicas: must be 1 to 5");
  }
  if (options.max_clock_offset <= absl::ZeroDuration() || !options.clock ||
      options.max_clock_offset + options.publish_timeout >= kLateEvent) {
    return absl::InvalidArgumentError(
        "cluster: the clock offset allowed must be > 0, and with the publish "
        "timeout under 2 minutes");
  }
  if (options.max_staleness <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("cluster.max_staleness: must be > 0");
  }
  if (options.publish_timeout <= absl::ZeroDuration() ||
      options.publish_timeout > absl::Minutes(1) ||
      options.apply_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "cluster: the publish timeout must be > 0 and at most a minute, the "
        "apply timeout > 0");
  }
  if (options.logger == nullptr) {
    return absl::InvalidArgumentError("cluster: a logger is required");
  }
  return absl::OkStatus();
}

ClusterList::ClusterList(JetStream* js, store::BlocklistStore* list,
                         ClusterListOptions options)
    : js_(js),
      list_(list),
      options_(std::move(options)),
      id_prefix_(core::StrCat(options_.node, "-", RandomTag())) {}

absl::StatusOr<std::unique_ptr<ClusterList>> ClusterList::Start(
    JetStream* js, store::BlocklistStore* list, ClusterListOptions options) {
  if (auto s = ValidateClusterListOptions(options); !s.ok()) return s;
  if (list->stream_position() == 0 && list->list_version() != 0) {
    return absl::FailedPreconditionError(core::StrCat(
        "cluster: the list in this data dir was written outside a cluster "
        "(list version ",
        list->list_version(),
        "); a cluster node starts from an empty data dir or a backup of "
        "another node"));
  }
  std::unique_ptr<ClusterList> cluster(
      new ClusterList(js, list, std::move(options)));
  ClusterList* p = cluster.get();
  ClockCheckOptions clock;
  clock.node = p->options_.node;
  clock.stream.replicas = p->options_.stream.replicas;
  clock.max_offset = p->options_.max_clock_offset;
  clock.clock = p->options_.clock;
  clock.logger = p->options_.logger;
  ASSIGN_OR_RETURN(cluster->clock_, ClockCheck::Start(js, std::move(clock)));
  cluster->follower_ = std::make_unique<StreamFollower>(
      js, p->options_.stream, core::StrCat("list-", p->options_.node),
      p->options_.logger, [p] { return p->applied(); },
      [p](const std::vector<StreamMessage>& messages,
          StreamFollower& follower) {
        using Handled = StreamFollower::Handled;
        for (const StreamMessage& message : messages) {
          const uint64_t next = p->applied() + 1;
          if (message.sequence < next) continue;  // delivered again
          // Every event, in order: after a gap, read again from the gap.
          if (message.sequence > next) return Handled::kRemake;
          if (!p->ApplyMessage(message, follower)) return Handled::kStop;
        }
        return Handled::kContinue;
      },
      [p](absl::Time asked_at) {
        p->current_at_us_.store(absl::ToUnixMicros(asked_at));
      });
  return cluster;
}

ClusterList::~ClusterList() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    // Writes see it and return; wait for them.
    mu_.Await(absl::Condition(
        +[](int* writes) { return *writes == 0; }, &writes_in_flight_));
  }
  follower_.reset();
}

absl::Time ClusterList::current_at() const {
  const int64_t us = current_at_us_.load();
  return us == INT64_MIN ? absl::InfinitePast() : absl::FromUnixMicros(us);
}

absl::Status ClusterList::Fresh() const {
  const absl::Time at = current_at();
  if (at == absl::InfinitePast()) {
    return absl::UnavailableError(core::StrCat(
        "cluster: this node has not caught up with ", options_.stream.name,
        " yet (applied up to ", applied(), ")"));
  }
  const absl::Duration age = absl::Now() - at;
  if (age > options_.max_staleness) {
    return absl::UnavailableError(core::StrCat(
        "cluster: this node's list was last known current ",
        absl::FormatDuration(absl::Trunc(age, absl::Milliseconds(1))),
        " ago, more than max_staleness (",
        absl::FormatDuration(options_.max_staleness), "); applied up to ",
        applied()));
  }
  return absl::OkStatus();
}

absl::StatusOr<service::Written> ClusterList::Write(
    const v1::ListEvent& event, const service::WriteOptions& options) {
  const std::string id = core::StrCat(id_prefix_, "-", next_id_++);
  Waiter waiter;
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return absl::UnavailableError("cluster: node stopping");
    ++writes_in_flight_;
    if (options.wait_applied) waiters_[id] = &waiter;
  }
  absl::Cleanup done = [&] {
    absl::MutexLock lock(&mu_);
    waiters_.erase(id);
    --writes_in_flight_;
  };
  const std::string data = event.SerializeAsString();
  const absl::Time publish_until =
      std::min(options.deadline, absl::Now() + options_.publish_timeout);
  // Its event would be skipped as late by every node.
  RETURN_IF_ERROR(clock_->Check(publish_until));
  absl::StatusOr<uint64_t> sequence;
  while (!(sequence = js_->Publish(options_.stream.subject, data, id)).ok()) {
    if (sequence.status().code() != absl::StatusCode::kUnavailable) {
      return sequence.status();  // no retry mends it
    }
    bool stopping;
    {
      absl::MutexLock lock(&mu_);
      mu_.AwaitWithTimeout(absl::Condition(&stopping_),
                           absl::Milliseconds(100));
      stopping = stopping_;
    }
    if (stopping || absl::Now() >= publish_until) {
      const std::string why = core::StrCat(
          "not acknowledged by the cluster (", sequence.status().message(),
          "); it may still be stored and applied, and retrying "
          "is safe");
      return absl::Now() >= options.deadline ? absl::DeadlineExceededError(why)
                                             : absl::UnavailableError(why);
    }
  }
  service::Written written;
  written.list_version = *sequence;
  if (!options.wait_applied) return written;

  const absl::Time apply_until =
      std::min(options.deadline, absl::Now() + options_.apply_timeout);
  absl::MutexLock lock(&mu_);
  struct Wake {
    const Waiter* waiter;
    const bool* stopping;
  } wake{&waiter, &stopping_};
  mu_.AwaitWithDeadline(
      absl::Condition(
          +[](Wake* w) { return w->waiter->done || *w->stopping; }, &wake),
      apply_until);
  if (!waiter.done) {
    const std::string why = core::StrCat(
        "stored on the cluster at list version ", *sequence,
        ", but not applied on this node yet (applied up to ", applied(), ")");
    return absl::Now() >= options.deadline ? absl::DeadlineExceededError(why)
                                           : absl::UnavailableError(why);
  }
  if (!waiter.refused.ok()) return waiter.refused;
  written.result = std::move(waiter.result);
  return written;
}

bool ClusterList::ApplyMessage(const StreamMessage& message,
                               StreamFollower& follower) {
  v1::ListEvent event;
  const bool parsed = event.ParseFromString(message.data);
  const bool late =
      parsed && message.stored_at > FromProtoTime(event.at()) + kLateEvent;
  if (late) {
    // Its writer gave up on it long before (publish_timeout is at most a
    // minute) and may have been followed by newer mutations: every node
    // skips it alike (the stream's time is the same for all), keeping only
    // its place in the stream.
    options_.logger->Log(
        service::LogLevel::kError, "cluster_event_too_late",
        service::LogFields()
            .Add("sequence", static_cast<int64_t>(message.sequence))
            .Add("actor", event.actor())
            .Add("at", absl::FormatTime(FromProtoTime(event.at())))
            .Add("stored_at", absl::FormatTime(message.stored_at)));
    event.Clear();
    event.mutable_upload();  // nothing to apply
  }
  absl::StatusOr<store::EventResult> result =
      parsed ? list_->Apply(event, message.sequence)
             : absl::InvalidArgumentError("unreadable event");
  for (int attempt = 1; !result.ok(); ++attempt) {
    // Stuck on this event: the node falls behind and, past the bound, stops
    // answering. Logged at once and then every minute.
    if (attempt % 60 == 1) {
      options_.logger->Log(
          service::LogLevel::kError, "cluster_apply_failed",
          service::LogFields()
              .Add("sequence", static_cast<int64_t>(message.sequence))
              .Add("attempt", attempt)
              .Add("error", result.status().ToString()));
    }
    if (!follower.Sleep(absl::Seconds(1))) return false;
    // `event` is as first decided (a late one stays empty).
    result = parsed ? list_->Apply(event, message.sequence)
                    : absl::InvalidArgumentError("unreadable event");
  }
  absl::MutexLock lock(&mu_);
  auto it = waiters_.find(message.msg_id);
  if (it != waiters_.end()) {
    if (late) {
      it->second->refused = absl::AbortedError(
          "the cluster stored this mutation more than 2 minutes after it was "
          "made, so every node skipped it: send it again");
    } else {
      it->second->result = *std::move(result);
    }
    it->second->done = true;
    waiters_.erase(it);
  }
  return true;
}

}  // namespace fraudgate::cluster
