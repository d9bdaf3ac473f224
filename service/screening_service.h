// fraudgate.v1.ScreeningService over the callback API (DESIGN §6).
// Thread safety: handlers run concurrently on gRPC's callback threads.
#ifndef FRAUDGATE_SERVICE_SCREENING_SERVICE_H_
#define FRAUDGATE_SERVICE_SCREENING_SERVICE_H_

#include "fraudgate/v1/fraudgate.grpc.pb.h"
#include "service/call_gate.h"
#include "service/screener.h"

namespace fraudgate::service {

// Most transfers in one ScreenTransfers call.
inline constexpr int kMaxBatch = 1000;
// Largest ScreenTransferRequest (a real one is well under 2 KiB).
inline constexpr size_t kMaxScreeningRequestBytes = 64 << 10;

class ScreeningService final : public v1::ScreeningService::CallbackService {
 public:
  // `screener` and `gate` must outlive the service. Both methods first pass
  // the call gate (UNAUTHENTICATED, PERMISSION_DENIED, RESOURCE_EXHAUSTED;
  // see call_gate.h). A request (or batch item) over
  // kMaxScreeningRequestBytes is RESOURCE_EXHAUSTED.
  //
  // With `empty_handler` (for bench/ only) ScreenTransfer does nothing: it
  // answers OK with an empty response at once, before the gate, reading and
  // writing nothing — the baseline of DESIGN §8 on the same server build,
  // threads and transport options.
  ScreeningService(Screener* screener, CallGate* gate,
                   bool empty_handler = false)
      : screener_(screener), gate_(gate), empty_handler_(empty_handler) {}

  grpc::ServerUnaryReactor* ScreenTransfer(
      grpc::CallbackServerContext* context,
      const v1::ScreenTransferRequest* request,
      v1::ScreenTransferResponse* response) override;

  // Items are screened in order; an item that fails gets its own `error`
  // (INVALID_ARGUMENT naming the field as `transfers[i].<field>`, or
  // UNAVAILABLE), the others are answered. More than kMaxBatch items:
  // INVALID_ARGUMENT for the whole call.
  grpc::ServerUnaryReactor* ScreenTransfers(
      grpc::CallbackServerContext* context,
      const v1::ScreenTransfersRequest* request,
      v1::ScreenTransfersResponse* response) override;

 private:
  // Screens one request after checking its size; `done` as
  // Screener::ScreenAsync.
  void ScreenOne(const std::string& caller,
                 const v1::ScreenTransferRequest& request,
                 Screener::ScreenDone done);

  Screener* const screener_;
  CallGate* const gate_;
  const bool empty_handler_;
};

}  // namespace fraudgate::service

#endif  // FRAUDGATE_SERVICE_SCREENING_SERVICE_H_
