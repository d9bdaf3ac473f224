// The entry of every RPC: who is calling and may they (auth.h), is the
// caller within their rate (per-caller token buckets, rate_limiter.h), and is
// there room (load shedding). When the calls of a class in flight reach its
// budget, a new one is refused at once with RESOURCE_EXHAUSTED instead of
// queueing without bound; an upload stream counts as in flight until it ends.
//
// The payment path is isolated: screening calls (ScreenTransfer,
// ScreenTransfers) have a budget of their own that no other call can take,
// so police uploads and analyst queries, however many or slow, never make a
// bank's screening wait or fail. Every other call shares the second budget,
// and one caller holds at most `uploads_per_caller` UploadReports streams at
// once. Rates apply to certificate identities: an --insecure server (one
// local admin, loopback only) has none.
//
// The HTTP port's analyst API passes the same gate (Admit with a Caller), so
// it shares the budget and the rates of the matching RPCs.
//
// Thread safety: all methods are thread-safe.
#ifndef FRAUDGATE_SERVICE_CALL_GATE_H_
#define FRAUDGATE_SERVICE_CALL_GATE_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/server_context.h"
#include "service/auth.h"
#include "service/rate_limiter.h"

namespace fraudgate::service {

class CallGate {
 public:
  // An admitted call's place in flight; destroying it (or moving it out and
  // destroying that) frees the place.
  class Ticket {
   public:
    Ticket() = default;
    Ticket(Ticket&& other) noexcept
        : gate_(std::exchange(other.gate_, nullptr)),
          screening_(other.screening_),
          uploader_(std::move(other.uploader_)) {}
    Ticket& operator=(Ticket&& other) noexcept {
      Release();
      gate_ = std::exchange(other.gate_, nullptr);
      screening_ = other.screening_;
      uploader_ = std::move(other.uploader_);
      return *this;
    }
    ~Ticket() { Release(); }

   private:
    friend class CallGate;
    void Release();
    CallGate* gate_ = nullptr;
    bool screening_ = false;
    std::string uploader_;  // the caller of an upload stream
  };

  struct Admitted {
    Caller caller;
    Ticket ticket;
  };

  struct Budgets {
    // Screening calls in flight at once. Default 1000.
    int64_t screening = 1000;
    // Every other call in flight at once. Default 64.
    int64_t other = 64;
    // UploadReports streams one caller may hold open at once. Default 4.
    int64_t uploads_per_caller = 4;
  };

  struct Rates {
    // Screened transfers a second per caller (ScreenTransfers counts each
    // transfer), and the burst allowed. Default 20,000/s, 40,000.
    double screening_rate = 20'000;
    double screening_burst = 40'000;
    // GetEntity calls a second per caller, and the burst. Default 50/s, 500.
    double get_entity_rate = 50;
    double get_entity_burst = 500;
    // History calls (QueryHits, GetHit, HitStats, FindPastTransfers, and
    // their /api/* pages) a second per caller, and the burst. Default 20/s,
    // 200.
    double query_rate = 20;
    double query_burst = 200;
  };

  // `auth` must outlive the gate. Budgets >= 1; rates > 0, bursts >= 1
  // (ValidateServerOptions checks both).
  CallGate(const Authorizer* auth, const Budgets& budgets, const Rates& rates,
           std::function<absl::Time()> clock);

  // Authorizes the caller of `context` for `method` (UNAUTHENTICATED,
  // PERMISSION_DENIED), then admits them as below.
  absl::StatusOr<Admitted> Admit(const grpc::ServerContextBase& context,
                                 std::string_view method, double cost = 1);
  // Takes `cost` tokens from the caller's bucket for `method` if it has one,
  // then a place in flight in the method's budget (and, for UploadReports,
  // one of the caller's streams): RESOURCE_EXHAUSTED naming what ran out.
  // `caller` must already be authorized for `method`.
  absl::StatusOr<Admitted> Admit(Caller caller, std::string_view method,
                                 double cost = 1);

  // Calls in flight now: all, and screening calls alone.
  int64_t in_flight() const {
    return screening_in_flight_.load() + other_in_flight_.load();
  }
  int64_t screening_in_flight() const { return screening_in_flight_.load(); }
  // Calls refused for want of room so far.
  int64_t shed() const { return shed_.load(); }

 private:
  void Leave(Ticket& ticket);

  const Authorizer* const auth_;
  const Budgets budgets_;
  RateLimiter screening_;
  RateLimiter get_entity_;
  RateLimiter query_;
  std::atomic<int64_t> screening_in_flight_{0};
  std::atomic<int64_t> other_in_flight_{0};
  std::atomic<int64_t> shed_{0};
  absl::Mutex uploads_mu_;
  absl::flat_hash_map<std::string, int64_t> uploads_
      ABSL_GUARDED_BY(uploads_mu_);
};

}  // namespace fraudgate::service

#endif  // FRAUDGATE_SERVICE_CALL_GATE_H_
