#include "cluster/clock_check.h"

#include <cstdlib>

#include "core/text.h"

namespace fraudgate::cluster {
namespace {

// A probe slower than this says too little about when it was stored.
constexpr absl::Duration kSlowProbe = absl::Seconds(1);

std::string Seconds(absl::Duration d) {
  return absl::FormatDuration(absl::Trunc(d, absl::Milliseconds(1)));
}

}  // namespace

ClockCheck::ClockCheck(JetStream* js, ClockCheckOptions options)
    : js_(js),
      options_(std::move(options)),
      id_prefix_(core::StrCat("clock-", options_.node, "-",
                              absl::ToUnixNanos(absl::Now()))) {}

absl::StatusOr<std::unique_ptr<ClockCheck>> ClockCheck::Start(
    JetStream* js, ClockCheckOptions options) {
  if (options.node.empty() || options.logger == nullptr || !options.clock) {
    return absl::InvalidArgumentError(
        "clock check: a node, a clock and a logger are required");
  }
  std::unique_ptr<ClockCheck> check(new ClockCheck(js, std::move(options)));
  check->thread_ = std::thread([p = check.get()] { p->Run(); });
  return check;
}

ClockCheck::~ClockCheck() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
}

void ClockCheck::Run() {
  absl::MutexLock lock(&mu_);
  while (!stopping_) {
    mu_.Unlock();
    const bool measured = Probe();
    mu_.Lock();
    // Soon again until there is a first measurement.
    const absl::Duration wait =
        measured || last_.has_value() ? options_.interval : absl::Seconds(1);
    mu_.AwaitWithTimeout(absl::Condition(&stopping_), wait);
  }
}

bool ClockCheck::Probe() {
  auto failed = [this](const absl::Status& status) {
    problems_.Report(status);
    return false;
  };
  if (!stream_made_) {
    const StreamSpec& s = options_.stream;
    absl::Status made =
        js_->AddStream(s.name, s.subject, s.replicas, s.max_age);
    if (!made.ok()) return failed(made);
    stream_made_ = true;
  }
  const absl::Time before = options_.clock();
  absl::StatusOr<uint64_t> sequence = js_->Publish(
      options_.stream.subject, "", core::StrCat(id_prefix_, "-", next_id_++));
  const absl::Time after = options_.clock();
  if (!sequence.ok()) return failed(sequence.status());
  if (after - before > kSlowProbe) {
    return failed(absl::DeadlineExceededError("probe slower than 1 s"));
  }
  absl::StatusOr<absl::Time> stored =
      js_->StoredAt(options_.stream.name, *sequence);
  if (!stored.ok()) return failed(stored.status());
  problems_.Clear();

  Measurement m;
  m.error = (after - before) / 2;
  m.offset = *stored - (before + m.error);
  m.measured_at = std::chrono::steady_clock::now();
  const bool off = absl::AbsDuration(m.offset) - m.error > options_.max_offset;
  absl::MutexLock lock(&mu_);
  if (off != off_) {
    options_.logger->Log(
        off ? service::LogLevel::kError : service::LogLevel::kInfo,
        off ? "cluster_clock_off" : "cluster_clock_agrees",
        service::LogFields()
            .Add("offset", Seconds(m.offset))
            .Add("max_offset", Seconds(options_.max_offset)));
    off_ = off;
  }
  last_ = m;
  return true;
}

absl::Status ClockCheck::Check(absl::Time until) const {
  absl::MutexLock lock(&mu_);
  mu_.AwaitWithDeadline(
      absl::Condition(
          +[](const std::optional<Measurement>* m) { return m->has_value(); },
          &last_),
      until);
  if (!last_.has_value()) {
    return absl::UnavailableError(
        "cluster: this node's clock was not compared with the NATS servers' "
        "yet, so it does not write");
  }
  const absl::Duration age = AgeLocked();
  if (age > options_.max_age) {
    return absl::UnavailableError(core::StrCat(
        "cluster: this node's clock was last compared with the NATS "
        "servers' ",
        Seconds(age), " ago, so it does not write"));
  }
  if (absl::AbsDuration(last_->offset) - last_->error > options_.max_offset) {
    return absl::UnavailableError(core::StrCat(
        "cluster: this node's clock is ",
        Seconds(absl::AbsDuration(last_->offset)),
        last_->offset > absl::ZeroDuration() ? " behind" : " ahead of",
        " the NATS servers' (more than ", Seconds(options_.max_offset),
        "): it does not write until its clock is set right (NTP); it "
        "screens as before"));
  }
  return absl::OkStatus();
}

absl::Duration ClockCheck::AgeLocked() const {
  return absl::FromChrono(std::chrono::steady_clock::now() -
                          last_->measured_at);
}

std::optional<absl::Duration> ClockCheck::age() const {
  absl::MutexLock lock(&mu_);
  if (!last_.has_value()) return std::nullopt;
  return AgeLocked();
}

std::optional<absl::Duration> ClockCheck::offset() const {
  absl::MutexLock lock(&mu_);
  if (!last_.has_value()) return std::nullopt;
  return last_->offset;
}

}  // namespace fraudgate::cluster
