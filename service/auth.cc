#include "service/auth.h"

#include <algorithm>
#include <array>
#include <utility>

#include "core/text.h"
#include "grpc/grpc_security_constants.h"

namespace fraudgate::service {
namespace {

constexpr std::array<std::pair<Role, std::string_view>, 5> kRoleNames = {{
    {Role::kBank, "bank"},
    {Role::kPolice, "police"},
    {Role::kAnalyst, "analyst"},
    {Role::kAdmin, "admin"},
    {Role::kMonitor, "monitor"},
}};

std::string_view RoleName(Role role) {
  for (const auto& [r, name] : kRoleNames) {
    if (r == role) return name;
  }
  return "?";
}

// DESIGN §5, deny by default: what each role other than admin may call.
struct Grant {
  Role role;
  std::string_view method;
};
constexpr Grant kGrants[] = {
    {Role::kBank, "ScreenTransfer"},       {Role::kBank, "ScreenTransfers"},
    {Role::kPolice, "UploadReports"},      {Role::kPolice, "DelistEntity"},
    {Role::kPolice, "WithdrawReport"},     {Role::kPolice, "GetEntity"},
    {Role::kAnalyst, "QueryHits"},         {Role::kAnalyst, "GetHit"},
    {Role::kAnalyst, "RecordOutcome"},     {Role::kAnalyst, "HitStats"},
    {Role::kAnalyst, "FindPastTransfers"}, {Role::kAnalyst, "GetEntity"},
};

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

}  // namespace

std::string Caller::Id() const {
  return core::StrCat(RoleName(role), "/", name);
}

absl::StatusOr<Caller> CallerFromSpiffeId(std::string_view id) {
  constexpr std::string_view kPrefix = "spiffe://fraudgate/";
  auto bad = [&] {
    return absl::UnauthenticatedError(core::StrCat(
        "client certificate: identity must be spiffe://fraudgate/<role>/<name> "
        "(got \"",
        id.substr(0, 128), "\")"));
  };
  if (!id.starts_with(kPrefix)) return bad();
  const std::string_view rest = id.substr(kPrefix.size());
  const size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return bad();
  const std::string_view role = rest.substr(0, slash);
  const std::string_view name = rest.substr(slash + 1);
  if (name.empty() || name.size() > 64 ||
      !std::all_of(name.begin(), name.end(), IsNameChar)) {
    return bad();
  }
  for (const auto& [r, role_name] : kRoleNames) {
    if (role == role_name) return Caller{r, std::string(name)};
  }
  return bad();
}

bool RoleMayCall(Role role, std::string_view method) {
  if (role == Role::kAdmin) return true;
  return std::any_of(
      std::begin(kGrants), std::end(kGrants),
      [&](const Grant& g) { return g.role == role && g.method == method; });
}

absl::StatusOr<Caller> Authorizer::Identify(
    const grpc::ServerContextBase& context) const {
  std::optional<std::string_view> id;
  if (!insecure_) {
    std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
    const std::vector<grpc::string_ref> ids =
        auth ? auth->FindPropertyValues(GRPC_PEER_SPIFFE_ID_PROPERTY_NAME)
             : std::vector<grpc::string_ref>();
    if (auth && auth->IsPeerAuthenticated() && ids.size() == 1) {
      id = std::string_view(ids[0].data(), ids[0].size());
    }
  }
  return Identify(id);
}

absl::StatusOr<Caller> Authorizer::Identify(
    std::optional<std::string_view> spiffe_id) const {
  if (insecure_) return Caller{Role::kAdmin, "insecure"};
  if (!spiffe_id) {
    return absl::UnauthenticatedError(
        "client certificate with one spiffe://fraudgate/<role>/<name> URI "
        "SAN required");
  }
  return CallerFromSpiffeId(*spiffe_id);
}

absl::StatusOr<Caller> Authorizer::Authorize(
    const grpc::ServerContextBase& context, std::string_view method) const {
  auto caller = Identify(context);
  if (!caller.ok()) return caller.status();
  return Check(*std::move(caller), method);
}

absl::StatusOr<Caller> Authorizer::Authorize(
    std::optional<std::string_view> spiffe_id, std::string_view method) const {
  auto caller = Identify(spiffe_id);
  if (!caller.ok()) return caller.status();
  return Check(*std::move(caller), method);
}

absl::StatusOr<Caller> Authorizer::Check(Caller caller,
                                         std::string_view method) {
  if (!RoleMayCall(caller.role, method)) {
    return absl::PermissionDeniedError(
        core::StrCat("role ", RoleName(caller.role), " may not call ", method));
  }
  return caller;
}

}  // namespace fraudgate::service
