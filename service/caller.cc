#include "service/caller.h"

namespace fraudgate::service {

std::string CallerOf(const grpc::CallbackServerContext& /*context*/) {
  return "admin/insecure";
}

}  // namespace fraudgate::service
