// A cluster node's settings (DESIGN §9) from the `cluster` section of the
// config file: what `fraudgate serve` starts with and what `fraudgate config
// check` checks, so the two refuse the same things.
#ifndef FRAUDGATE_CLI_CLUSTER_SETTINGS_H_
#define FRAUDGATE_CLI_CLUSTER_SETTINGS_H_

#include <optional>

#include "absl/status/statusor.h"
#include "cluster/cluster_list.h"
#include "cluster/hit_feed.h"
#include "cluster/jetstream.h"
#include "fraudgate/v1/config.pb.h"

namespace fraudgate::cli {

struct ClusterSettings {
  cluster::JetStreamOptions nats;
  cluster::ClusterListOptions list;
  cluster::HitFeedOptions feed;
};

// nullopt when `config` has no cluster servers (a single node). The node
// name defaults to the host name (up to its first '.'); loggers are
// Logger::Default(). INVALID_ARGUMENT naming the field for what Connect or
// the list and the feed would refuse (servers, TLS files, node name,
// replicas, staleness, the hits stream's age).
absl::StatusOr<std::optional<ClusterSettings>> ClusterSettingsFromConfig(
    const v1::ClusterConfig& config);

}  // namespace fraudgate::cli

#endif  // FRAUDGATE_CLI_CLUSTER_SETTINGS_H_
