// What `fraudgate serve` checks before it opens the data dir or connects to
// anything, which is also what `fraudgate config check` checks, so the two
// refuse the same things: the server options (service::ValidateServerOptions),
// the cluster section (ClusterSettingsFromConfig), and who else may read or
// change the files the server trusts (service::CheckServerFiles: the data
// dir, the TLS keys it reads, a CA key beside them).
#ifndef FRAUDGATE_CLI_SERVE_PREFLIGHT_H_
#define FRAUDGATE_CLI_SERVE_PREFLIGHT_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "cli/cluster_settings.h"
#include "fraudgate/v1/config.pb.h"
#include "service/file_permissions.h"
#include "service/server.h"

namespace fraudgate::cli {

struct ServePreflight {
  // A cluster node's settings; nullopt for a single node.
  std::optional<ClusterSettings> cluster;
  // Problems that do not refuse the start: serve logs them, config check
  // prints them.
  std::vector<service::PermissionWarning> warnings;
};

// Checks a server on `data_dir` with `options` and the `cluster` section.
// The first problem that refuses the start, with its code: INVALID_ARGUMENT
// naming the field for options or a cluster section serve refuses;
// FAILED_PRECONDITION naming the path and the fix for a file others may
// change or read (file_permissions.h).
absl::StatusOr<ServePreflight> CheckServeSetup(
    const std::string& data_dir, const service::ServerOptions& options,
    const v1::ClusterConfig& cluster);

}  // namespace fraudgate::cli

#endif  // FRAUDGATE_CLI_SERVE_PREFLIGHT_H_
