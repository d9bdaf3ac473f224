// The entry of every RPC: who is calling and may they (auth.h), is the
// caller within their rate (anti-probing token buckets on screening and
// GetEntity, rate_limiter.h), and is there room (load shedding). When more
// calls are in flight than the limit, a new one is refused at once with
// RESOURCE_EXHAUSTED instead of queueing without bound; an upload stream
// counts as in flight until it ends. Rates apply to certificate identities:
// an --insecure server (one local admin, loopback only) has none.
//
// Thread safety: all methods are thread-safe.
#ifndef FRAUDGATE_SERVICE_CALL_GATE_H_
#define FRAUDGATE_SERVICE_CALL_GATE_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <string_view>

#include "absl/status/statusor.h"
#include "grpcpp/server_context.h"
#include "service/auth.h"
#include "service/rate_limiter.h"

namespace fraudgate::service {

class CallGate {
 public:
  // An admitted call's place in flight; leaving frees it.
  class Ticket {
   public:
    Ticket() = default;
    explicit Ticket(std::atomic<int64_t>* in_flight) : in_flight_(in_flight) {}
    Ticket(Ticket&& other) noexcept
        : in_flight_(std::exchange(other.in_flight_, nullptr)) {}
    Ticket& operator=(Ticket&& other) noexcept {
      Release();
      in_flight_ = std::exchange(other.in_flight_, nullptr);
      return *this;
    }
    ~Ticket() { Release(); }

   private:
    void Release() {
      if (in_flight_ != nullptr) in_flight_->fetch_sub(1);
      in_flight_ = nullptr;
    }
    std::atomic<int64_t>* in_flight_ = nullptr;
  };

  struct Admitted {
    Caller caller;
    Ticket ticket;
  };

  struct Rates {
    // Screened transfers a second per caller (ScreenTransfers counts each
    // transfer), and the burst allowed. Default 20,000/s, 40,000.
    double screening_rate = 20'000;
    double screening_burst = 40'000;
    // GetEntity calls a second per caller, and the burst. Default 50/s, 500.
    double get_entity_rate = 50;
    double get_entity_burst = 500;
  };

  // `auth` must outlive the gate. `max_in_flight` >= 1; rates > 0.
  CallGate(const Authorizer* auth, int64_t max_in_flight, const Rates& rates,
           std::function<absl::Time()> clock);

  // Authorizes the caller for `method` (UNAUTHENTICATED, PERMISSION_DENIED),
  // takes `cost` tokens from their bucket for the method if it has one, then
  // a place in flight: RESOURCE_EXHAUSTED when either is exhausted.
  absl::StatusOr<Admitted> Admit(const grpc::ServerContextBase& context,
                                 std::string_view method, double cost = 1);

  int64_t in_flight() const { return in_flight_.load(); }
  // Calls refused for want of room so far.
  int64_t shed() const { return shed_.load(); }

 private:
  const Authorizer* const auth_;
  const int64_t max_in_flight_;
  RateLimiter screening_;
  RateLimiter get_entity_;
  std::atomic<int64_t> in_flight_{0};
  std::atomic<int64_t> shed_{0};
};

}  // namespace fraudgate::service

#endif  // FRAUDGATE_SERVICE_CALL_GATE_H_
