#include "cluster/stream_follower.h"

#include <memory>
#include <optional>
#include <utility>

#include "cluster/problem_log.h"
#include "core/text.h"

namespace fraudgate::cluster {
namespace {

// How long the consumer may deliver nothing while the stream is ahead
// before it is remade (its server died, or it was deleted).
constexpr absl::Duration kStuckConsumer = absl::Seconds(3);
constexpr int kFetchBatch = 256;
constexpr absl::Duration kFetchWait = absl::Milliseconds(250);

}  // namespace

StreamFollower::StreamFollower(JetStream* js, StreamSpec stream,
                               std::string durable, service::Logger* logger,
                               Position position, Handle handle,
                               CaughtUp caught_up)
    : js_(js),
      stream_(std::move(stream)),
      durable_(std::move(durable)),
      logger_(logger),
      position_(std::move(position)),
      handle_(std::move(handle)),
      caught_up_(std::move(caught_up)),
      thread_([this] { Run(); }) {}

StreamFollower::~StreamFollower() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  thread_.join();
}

bool StreamFollower::Sleep(absl::Duration d) {
  absl::MutexLock lock(&mu_);
  mu_.AwaitWithTimeout(absl::Condition(&stop_), d);
  return !stop_;
}

void StreamFollower::Run() {
  std::unique_ptr<Consumer> consumer;
  ProblemLog problems(logger_, "cluster_unavailable", stream_.name);
  auto problem = [&](const absl::Status& s) { problems.Report(s); };
  // The stream's last sequence as of when it was asked, until reached.
  std::optional<std::pair<uint64_t, absl::Time>> end;
  absl::Time next_ask = absl::InfinitePast();
  uint64_t progress_mark = position_();
  uint64_t last_remade_at = UINT64_MAX;
  absl::Time stuck_since = absl::InfiniteFuture();
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      if (stop_) return;
    }
    if (consumer == nullptr) {
      absl::Status s;
      if (position_() == 0) {
        s = js_->AddStream(stream_.name, stream_.subject, stream_.replicas,
                           stream_.max_age, stream_.max_bytes);
      }
      if (s.ok()) {
        auto made = js_->Consume(stream_.name, stream_.subject, durable_,
                                 position_() + 1);
        if (made.ok()) {
          consumer = *std::move(made);
        } else {
          s = made.status();
        }
      }
      if (!s.ok()) {
        problem(s);
        if (!Sleep(absl::Milliseconds(500))) return;
        continue;
      }
      problems.Clear();
      logger_->Log(service::LogLevel::kInfo, "cluster_following",
                   service::LogFields()
                       .Add("stream", stream_.name)
                       .Add("consumer", durable_)
                       .Add("from", static_cast<int64_t>(position_() + 1)));
      stuck_since = absl::InfiniteFuture();
    }
    if (!end && absl::Now() >= next_ask) {
      const absl::Time asked_at = absl::Now();
      next_ask = asked_at + absl::Milliseconds(100);
      auto last = js_->LastSequence(stream_.name);
      if (!last.ok()) {
        problem(last.status());
      } else if (*last < position_()) {
        problem(absl::DataLossError(core::StrCat(
            "the stream ends at ", *last, ", before this node's position ",
            position_(), ": it was made again or lost messages")));
      } else {
        end.emplace(*last, asked_at);
      }
    }
    auto fetched = consumer->Fetch(kFetchBatch, kFetchWait);
    if (!fetched.ok()) {
      problem(fetched.status());
      if (!Sleep(absl::Milliseconds(100))) return;
    } else if (!fetched->empty()) {
      const Handled handled = handle_(*fetched, *this);
      if (handled == Handled::kStop) return;
      if (handled == Handled::kRemake) {
        logger_->Log(service::LogLevel::kWarning, "cluster_consumer_remade",
                     service::LogFields()
                         .Add("stream", stream_.name)
                         .Add("position", static_cast<int64_t>(position_())));
        consumer.reset();
        // A gap that stays (messages removed from the stream) must not
        // spin: remaking again at the same position waits.
        if (position_() == last_remade_at && !Sleep(absl::Seconds(1))) return;
        last_remade_at = position_();
        continue;
      }
    }
    const uint64_t position = position_();
    if (end && position >= end->first) {
      if (caught_up_) caught_up_(end->second);
      end.reset();
    }
    if (position != progress_mark || !end) {
      progress_mark = position;
      stuck_since = absl::InfiniteFuture();
    } else if (stuck_since == absl::InfiniteFuture()) {
      stuck_since = absl::Now();
    } else if (absl::Now() - stuck_since > kStuckConsumer) {
      logger_->Log(service::LogLevel::kWarning, "cluster_consumer_remade",
                   service::LogFields()
                       .Add("stream", stream_.name)
                       .Add("position", static_cast<int64_t>(position)));
      consumer.reset();
    }
  }
}

}  // namespace fraudgate::cluster
