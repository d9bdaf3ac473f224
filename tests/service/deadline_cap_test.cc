// DeadlineCap on its own: expiries run at their deadlines in deadline order,
// an expiry that asks runs again when it asks, a reset handle's expiry never
// runs, reset waits for a running expiry, and a call without a client
// deadline gets now + cap. The cap on a real
// UploadReports stream is tested in limits_test.
#include "service/deadline_cap.h"

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "grpcpp/server_context.h"
#include "gtest/gtest.h"

namespace fraudgate::service {
namespace {

using ::testing::ElementsAre;

TEST(DeadlineCapTest, ExpiriesRunInDeadlineOrder) {
  DeadlineCap cap(absl::Minutes(1));
  std::mutex mu;
  std::vector<int> order;
  absl::Notification all;
  auto record = [&](int i) {
    return [&, i] {
      std::lock_guard<std::mutex> lock(mu);
      order.push_back(i);
      if (order.size() == 3) all.Notify();
      return absl::InfiniteFuture();
    };
  };
  const absl::Time now = absl::Now();
  DeadlineCap::Handle a =
      cap.Schedule(now + absl::Milliseconds(300), record(1));
  DeadlineCap::Handle b =
      cap.Schedule(now + absl::Milliseconds(100), record(2));
  DeadlineCap::Handle c =
      cap.Schedule(now + absl::Milliseconds(200), record(3));
  ASSERT_TRUE(all.WaitForNotificationWithTimeout(absl::Seconds(30)));
  EXPECT_GE(absl::Now(), now + absl::Milliseconds(300));
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_THAT(order, ElementsAre(2, 3, 1));
}

TEST(DeadlineCapTest, AnExpiryRunsAgainWhenItAsks) {
  DeadlineCap cap(absl::Minutes(1));
  std::vector<absl::Time> runs;  // only the cap's thread touches it
  absl::Notification done;
  const absl::Time start = absl::Now();
  DeadlineCap::Handle handle =
      cap.Schedule(start + absl::Milliseconds(50), [&] {
        runs.push_back(absl::Now());
        if (runs.size() == 3) {
          done.Notify();
          return absl::InfiniteFuture();
        }
        return runs.back() + absl::Milliseconds(100);
      });
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(30)));
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_GE(runs[1] - runs[0], absl::Milliseconds(100));
  EXPECT_GE(runs[2] - runs[1], absl::Milliseconds(100));
  // Done: it never runs a fourth time.
  absl::SleepFor(absl::Milliseconds(200));
  EXPECT_EQ(runs.size(), 3u);
}

TEST(DeadlineCapTest, ResetHandleNeverExpires) {
  DeadlineCap cap(absl::Minutes(1));
  std::atomic<int> runs{0};
  DeadlineCap::Handle cancelled =
      cap.Schedule(absl::Now() + absl::Milliseconds(50), [&] {
        runs.fetch_add(1);
        return absl::InfiniteFuture();
      });
  cancelled.reset();
  // A later expiry that does run shows the thread went past the first.
  absl::Notification later;
  DeadlineCap::Handle kept =
      cap.Schedule(absl::Now() + absl::Milliseconds(150), [&] {
        later.Notify();
        return absl::InfiniteFuture();
      });
  ASSERT_TRUE(later.WaitForNotificationWithTimeout(absl::Seconds(30)));
  EXPECT_EQ(runs.load(), 0);
}

TEST(DeadlineCapTest, ResetWaitsForARunningExpiry) {
  DeadlineCap cap(absl::Minutes(1));
  absl::Notification started;
  std::atomic<bool> finished{false};
  DeadlineCap::Handle handle = cap.Schedule(absl::Now(), [&] {
    started.Notify();
    absl::SleepFor(absl::Milliseconds(200));
    finished = true;
    return absl::InfiniteFuture();
  });
  ASSERT_TRUE(started.WaitForNotificationWithTimeout(absl::Seconds(30)));
  handle.reset();
  EXPECT_TRUE(finished.load());
}

TEST(DeadlineCapTest, CallWithoutDeadlineGetsTheCap) {
  DeadlineCap cap(absl::Seconds(90));
  grpc::CallbackServerContext context;  // no client: an infinite deadline
  const absl::Time before = absl::Now();
  const absl::Time deadline = cap.DeadlineFor(context);
  EXPECT_GE(deadline, before + absl::Seconds(90));
  EXPECT_LE(deadline, absl::Now() + absl::Seconds(90));
}

}  // namespace
}  // namespace fraudgate::service
