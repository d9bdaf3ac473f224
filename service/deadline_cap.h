// A server-side bound on how long a streaming call may run. gRPC ends a call
// at the client's deadline; a stream whose client set none (or one further
// away than the cap) would otherwise keep its HTTP/2 stream, its place in
// flight (call_gate.h) and its buffers for as long as the client likes, e.g.
// an UploadReports stream opened and left idle. Unary calls need no cap: their
// request has arrived in full before the handler runs, and every handler's
// work is bounded.
//
// A stream asks for its deadline with DeadlineFor() and gets an expiry
// callback with Schedule(); the stream itself checks the deadline between
// messages, and the callback, run on the cap's own thread, ends a stream that
// is waiting for the client. The callback may ask to run again later, so one
// entry also serves a stream's idle timeout, pushed back by each message.
//
// Thread safety: all methods are thread-safe.
#ifndef FRAUDGATE_SERVICE_DEADLINE_CAP_H_
#define FRAUDGATE_SERVICE_DEADLINE_CAP_H_

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <queue>
#include <thread>
#include <vector>

#include "absl/time/time.h"
#include "grpcpp/server_context.h"

namespace fraudgate::service {

class DeadlineCap {
  struct Entry;

 public:
  // An expiry scheduled by Schedule(); destroying it cancels the expiry.
  class Handle {
   public:
    Handle() = default;
    Handle(Handle&&) = default;
    Handle& operator=(Handle&& other) noexcept {
      reset();
      entry_ = std::move(other.entry_);
      return *this;
    }
    ~Handle() { reset(); }
    // Cancels the expiry; waits for it if it is running.
    void reset();

   private:
    friend class DeadlineCap;
    explicit Handle(std::shared_ptr<Entry> entry) : entry_(std::move(entry)) {}
    std::shared_ptr<Entry> entry_;
  };

  // `cap` > 0. Starts the expiry thread.
  explicit DeadlineCap(absl::Duration cap);
  // Stops the thread; expiries not yet run are dropped.
  ~DeadlineCap();
  DeadlineCap(const DeadlineCap&) = delete;
  DeadlineCap& operator=(const DeadlineCap&) = delete;

  absl::Duration cap() const { return cap_; }

  // When a call that starts now must end: the earlier of the client's
  // deadline and now + cap.
  absl::Time DeadlineFor(const grpc::ServerContextBase& context) const;

  // What an expiry does when due; it returns when it is due again, or
  // absl::InfiniteFuture() when it is done.
  using Expire = std::function<absl::Time()>;

  // Runs `expire` on the cap's thread at `deadline`, and again whenever it
  // asks, unless the returned handle is destroyed (or reset) first. Once the
  // handle's destructor has returned, `expire` is not running and will not
  // run; so `expire` itself must not destroy the handle.
  Handle Schedule(absl::Time deadline, Expire expire);

 private:
  struct Entry {
    std::mutex mu;
    Expire expire;  // empty once cancelled or done
  };
  struct Due {
    absl::Time at;
    std::shared_ptr<Entry> entry;
    bool operator>(const Due& other) const { return at > other.at; }
  };

  void Run();

  const absl::Duration cap_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::priority_queue<Due, std::vector<Due>, std::greater<>> due_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace fraudgate::service

#endif  // FRAUDGATE_SERVICE_DEADLINE_CAP_H_
