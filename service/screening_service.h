// fraudgate.v1.ScreeningService over the callback API (DESIGN §6).
// Thread safety: handlers run concurrently on gRPC's callback threads.
#ifndef FRAUDGATE_SERVICE_SCREENING_SERVICE_H_
#define FRAUDGATE_SERVICE_SCREENING_SERVICE_H_

#include "fraudgate/v1/fraudgate.grpc.pb.h"
#include "service/auth.h"
#include "service/screener.h"

namespace fraudgate::service {

// Most transfers in one ScreenTransfers call.
inline constexpr int kMaxBatch = 1000;

class ScreeningService final : public v1::ScreeningService::CallbackService {
 public:
  // `screener` and `auth` must outlive the service. Both methods first
  // authorize the caller (UNAUTHENTICATED / PERMISSION_DENIED, see auth.h).
  ScreeningService(Screener* screener, const Authorizer* auth)
      : screener_(screener), auth_(auth) {}

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
  Screener* const screener_;
  const Authorizer* const auth_;
};

}  // namespace fraudgate::service

#endif  // FRAUDGATE_SERVICE_SCREENING_SERVICE_H_
