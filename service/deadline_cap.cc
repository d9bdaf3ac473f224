#include "service/deadline_cap.h"

#include <utility>

#include "absl/time/clock.h"

namespace fraudgate::service {

DeadlineCap::DeadlineCap(absl::Duration cap)
    : cap_(cap), thread_([this] { Run(); }) {}

DeadlineCap::~DeadlineCap() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

absl::Time DeadlineCap::DeadlineFor(
    const grpc::ServerContextBase& context) const {
  const absl::Time capped = absl::Now() + cap_;
  const auto client = context.deadline();
  // No deadline is system_clock::time_point::max(), which absl::FromChrono
  // would overflow.
  if (client >= std::chrono::system_clock::now() +
                    absl::ToChronoSeconds(cap_ + absl::Seconds(1))) {
    return capped;
  }
  return std::min(capped, absl::FromChrono(client));
}

DeadlineCap::Handle DeadlineCap::Schedule(absl::Time deadline, Expire expire) {
  auto entry = std::make_shared<Entry>();
  entry->expire = std::move(expire);
  {
    std::lock_guard<std::mutex> lock(mu_);
    due_.push(Due{deadline, entry});
  }
  wake_.notify_one();
  return Handle(std::move(entry));
}

void DeadlineCap::Handle::reset() {
  if (entry_ == nullptr) return;
  {
    // Waits for a running expire: it holds the entry's mutex.
    std::lock_guard<std::mutex> lock(entry_->mu);
    entry_->expire = nullptr;
  }
  entry_.reset();
}

void DeadlineCap::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    if (due_.empty()) {
      wake_.wait(lock);
      continue;
    }
    const absl::Time next = due_.top().at;
    const absl::Time now = absl::Now();
    if (next > now) {
      wake_.wait_for(lock, absl::ToChronoNanoseconds(next - now));
      continue;
    }
    std::shared_ptr<Entry> entry = due_.top().entry;
    due_.pop();
    lock.unlock();
    absl::Time again = absl::InfiniteFuture();
    {
      std::lock_guard<std::mutex> entry_lock(entry->mu);
      if (entry->expire) again = entry->expire();
      if (again == absl::InfiniteFuture()) entry->expire = nullptr;
    }
    lock.lock();
    if (again != absl::InfiniteFuture()) due_.push(Due{again, entry});
  }
}

}  // namespace fraudgate::service
