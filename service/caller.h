// Who is calling. DESIGN §5: the identity comes from the client certificate's
// URI SAN `spiffe://fraudgate/<role>/<name>`; in `--insecure` mode (the only
// mode before mTLS lands) every caller is treated as admin and recorded as
// "admin/insecure".
#ifndef FRAUDGATE_SERVICE_CALLER_H_
#define FRAUDGATE_SERVICE_CALLER_H_

#include <string>

#include "grpcpp/server_context.h"

namespace fraudgate::service {

// "<role>/<name>" of the caller of `context`; recorded in hits, reports and
// audit records.
std::string CallerOf(const grpc::CallbackServerContext& context);

}  // namespace fraudgate::service

#endif  // FRAUDGATE_SERVICE_CALLER_H_
