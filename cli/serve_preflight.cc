#include "cli/serve_preflight.h"

#include "core/status_macros.h"

namespace fraudgate::cli {

absl::StatusOr<ServePreflight> CheckServeSetup(
    const std::string& data_dir, const service::ServerOptions& options,
    const v1::ClusterConfig& cluster) {
  RETURN_IF_ERROR(service::ValidateServerOptions(options));
  ServePreflight checked;
  ASSIGN_OR_RETURN(checked.cluster, ClusterSettingsFromConfig(cluster));
  RETURN_IF_ERROR(service::CheckServerFiles(
      {.data_dir = data_dir,
       .tls_dir = options.insecure ? "" : options.tls_dir,
       .cluster_tls_dir = checked.cluster ? checked.cluster->nats.tls_dir : ""},
      &checked.warnings));
  return checked;
}

}  // namespace fraudgate::cli
