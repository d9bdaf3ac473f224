#include "cluster/cluster_list.h"

#include <climits>
#include <random>

#include "absl/strings/str_format.h"
#include "core/text.h"

namespace fraudgate::cluster {
namespace {

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
  if (options.max_staleness <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("cluster.max_staleness: must be > 0");
  }
  if (options.publish_timeout <= absl::ZeroDuration() ||
      options.apply_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "cluster: publish and apply timeouts must be > 0");
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
  cluster->follower_ = std::make_unique<StreamFollower>(
      js, p->options_.stream, core::StrCat("list-", p->options_.node),
      p->options_.logger, [p] { return p->applied(); },
      [p](const std::vector<StreamMessage>& messages) {
        for (const StreamMessage& message : messages) {
          if (!p->ApplyMessage(message)) return false;
        }
        return true;
      },
      [p](absl::Time asked_at) {
        p->current_at_us_.store(absl::ToUnixMicros(asked_at));
      });
  return cluster;
}

ClusterList::~ClusterList() { follower_.reset(); }

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
  if (options.wait_applied) {
    absl::MutexLock lock(&mu_);
    waiters_[id] = &waiter;
  }
  auto forget = [&] {
    absl::MutexLock lock(&mu_);
    waiters_.erase(id);
  };
  const std::string data = event.SerializeAsString();
  const absl::Time publish_until =
      std::min(options.deadline, absl::Now() + options_.publish_timeout);
  absl::StatusOr<uint64_t> sequence;
  while (!(sequence = js_->Publish(options_.stream.subject, data, id)).ok()) {
    if (absl::Now() >= publish_until) {
      forget();
      const std::string why = core::StrCat(
          "not acknowledged by the cluster (", sequence.status().message(),
          "); it may still be stored, and retrying is safe");
      return absl::Now() >= options.deadline ? absl::DeadlineExceededError(why)
                                             : absl::UnavailableError(why);
    }
    absl::SleepFor(absl::Milliseconds(100));
  }
  service::Written written;
  written.list_version = *sequence;
  if (!options.wait_applied) return written;

  const absl::Time apply_until =
      std::min(options.deadline, absl::Now() + options_.apply_timeout);
  absl::MutexLock lock(&mu_);
  mu_.AwaitWithDeadline(absl::Condition(&waiter.done), apply_until);
  if (!waiter.done) {
    waiters_.erase(id);
    return absl::DeadlineExceededError(
        core::StrCat("stored on the cluster at list version ", *sequence,
                     ", but not applied on this node in time (applied up to ",
                     applied(), ")"));
  }
  if (!waiter.result.ok()) return waiter.result.status();
  written.result = *std::move(waiter.result);
  return written;
}

bool ClusterList::ApplyMessage(const StreamMessage& message) {
  v1::ListEvent event;
  absl::StatusOr<store::EventResult> result =
      event.ParseFromString(message.data)
          ? list_->Apply(event, message.sequence)
          : absl::InvalidArgumentError("unreadable event");
  for (int attempt = 1; !result.ok(); ++attempt) {
    if (result.status().code() == absl::StatusCode::kFailedPrecondition &&
        message.sequence <= applied()) {
      return true;  // delivered again: applied already
    }
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
    if (!follower_->Sleep(absl::Seconds(1))) return false;
    result = event.ParseFromString(message.data)
                 ? list_->Apply(event, message.sequence)
                 : absl::InvalidArgumentError("unreadable event");
  }
  absl::MutexLock lock(&mu_);
  auto it = waiters_.find(message.msg_id);
  if (it != waiters_.end()) {
    it->second->result = std::move(result);
    it->second->done = true;
    waiters_.erase(it);
  }
  return true;
}

}  // namespace fraudgate::cluster
