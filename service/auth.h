// Who is calling, and whether they may (DESIGN §5). The caller's role and name
// come from the verified client certificate's URI SAN
// `spiffe://fraudgate/<role>/<name>` (gRPC's `peer_spiffe_id`); the role
// table is enforced at the entry of every handler, deny by default. In
// --insecure mode (loopback only) every caller is admin "admin/insecure".
//
// Thread safety: all functions and Authorizer methods are thread-safe.
#ifndef FRAUDGATE_SERVICE_AUTH_H_
#define FRAUDGATE_SERVICE_AUTH_H_

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "grpcpp/server_context.h"

namespace fraudgate::service {

// kMonitor is a metrics scraper's: it may call no RPC, and it (with admin)
// sees the per-caller series of /metrics (http_api.h).
enum class Role { kBank, kPolice, kAnalyst, kAdmin, kMonitor };

struct Caller {
  Role role = Role::kBank;
  std::string name;
  // "<role>/<name>", as recorded in hits, reports and audit records.
  std::string Id() const;
};

// The caller named by a SPIFFE id "spiffe://fraudgate/<role>/<name>"; name is
// 1..64 of [a-z0-9._-]. UNAUTHENTICATED for anything else.
absl::StatusOr<Caller> CallerFromSpiffeId(std::string_view id);

// The DESIGN §5 table: bank may call ScreenTransfer(s); police
// UploadReports, DelistEntity, WithdrawReport, GetEntity; analyst QueryHits,
// GetHit, RecordOutcome, HitStats, FindPastTransfers, GetEntity; admin all;
// monitor none.
// `method` is the RPC's name without service, e.g. "ScreenTransfer"; an
// unknown method is allowed to nobody but admin.
bool RoleMayCall(Role role, std::string_view method);

class Authorizer {
 public:
  // `insecure`: the server has no TLS and every caller is admin.
  explicit Authorizer(bool insecure) : insecure_(insecure) {}

  // The caller of `context`, whatever they may call: UNAUTHENTICATED when
  // the peer has no fraudgate identity.
  absl::StatusOr<Caller> Identify(const grpc::ServerContextBase& context) const;
  // The same for another transport (the HTTP console): `spiffe_id` is the
  // URI SAN of the peer's verified client certificate, nullopt without one.
  absl::StatusOr<Caller> Identify(
      std::optional<std::string_view> spiffe_id) const;

  // The caller (as Identify) if they may call `method`; PERMISSION_DENIED
  // naming the role and method when they may not.
  absl::StatusOr<Caller> Authorize(const grpc::ServerContextBase& context,
                                   std::string_view method) const;
  absl::StatusOr<Caller> Authorize(std::optional<std::string_view> spiffe_id,
                                   std::string_view method) const;

  bool insecure() const { return insecure_; }

 private:
  // `caller` if their role may call `method`, else PERMISSION_DENIED.
  static absl::StatusOr<Caller> Check(Caller caller, std::string_view method);

  const bool insecure_;
};

}  // namespace fraudgate::service

#endif  // FRAUDGATE_SERVICE_AUTH_H_
