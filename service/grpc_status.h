// The one place where absl::Status becomes grpc::Status (DESIGN §1).
#ifndef FRAUDGATE_SERVICE_GRPC_STATUS_H_
#define FRAUDGATE_SERVICE_GRPC_STATUS_H_

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace fraudgate::service {

// Same code number, same message.
grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace fraudgate::service

#endif  // FRAUDGATE_SERVICE_GRPC_STATUS_H_
