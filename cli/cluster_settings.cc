#include "cli/cluster_settings.h"

#include <unistd.h>

#include "absl/strings/str_split.h"
#include "core/status_macros.h"
#include "core/text.h"
#include "service/log.h"

namespace fraudgate::cli {

absl::StatusOr<std::optional<ClusterSettings>> ClusterSettingsFromConfig(
    const v1::ClusterConfig& config) {
  ClusterSettings settings;
  settings.nats.servers =
      absl::StrSplit(config.servers(), ',', absl::SkipEmpty());
  if (settings.nats.servers.empty()) return std::nullopt;
  settings.nats.tls_dir = config.tls_dir();

  cluster::ClusterListOptions& list = settings.list;
  list.node = config.node();
  if (list.node.empty()) {
    char host[256] = {};
    gethostname(host, sizeof(host) - 1);
    list.node = std::string(host).substr(0, std::string(host).find('.'));
  }
  list.stream.replicas = config.replicas();
  list.max_staleness = absl::Seconds(config.max_staleness_seconds());
  list.logger = &service::Logger::Default();
  settings.nats.name = core::StrCat("fraudgate-", list.node);
  settings.nats.logger = list.logger;

  cluster::HitFeedOptions& feed = settings.feed;
  feed.node = list.node;
  feed.stream.replicas = list.stream.replicas;
  feed.stream.max_age = absl::Hours(config.hits_stream_max_age_hours());
  feed.history = config.history();
  feed.logger = list.logger;

  RETURN_IF_ERROR(cluster::ValidateJetStreamOptions(settings.nats));
  RETURN_IF_ERROR(cluster::ValidateClusterListOptions(list));
  if (config.hits_stream_max_age_hours() < 1) {
    return absl::InvalidArgumentError(
        "cluster.hits_stream_max_age_hours: must be >= 1");
  }
  return settings;
}

}  // namespace fraudgate::cli
