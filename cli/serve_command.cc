// `fraudgate serve`: the composition root — config -> store -> server, every
// step checked — then serve until SIGINT or SIGTERM.
#include <signal.h>
#include <unistd.h>

#include <iostream>
#include <thread>

#include "cli/cluster_settings.h"
#include "cli/command.h"
#include "cli/serve_preflight.h"
#include "cluster/cluster_list.h"
#include "cluster/hit_feed.h"
#include "cluster/jetstream.h"
#include "core/text.h"
#include "service/admin_server.h"
#include "service/config.h"
#include "service/convert.h"
#include "service/log.h"
#include "service/server.h"
#include "store/store.h"

namespace fraudgate::cli {
namespace {

// HOST:PORT of `listen` with the port it was bound to (port 0 picks one).
std::string Bound(const std::string& listen, int port) {
  return core::StrCat(listen.substr(0, listen.rfind(':')), ":", port);
}

// The `cluster` section of `config` with the flags that override it.
v1::ClusterConfig ClusterConfigWithFlags(const v1::Config& config,
                                         const Flags& flags) {
  v1::ClusterConfig cluster = config.cluster();
  if (flags.Has("cluster")) cluster.set_servers(flags.Get("cluster"));
  if (flags.Has("cluster-tls-dir")) {
    cluster.set_tls_dir(flags.Get("cluster-tls-dir"));
  }
  if (flags.Has("node")) cluster.set_node(flags.Get("node"));
  if (flags.Has("role-history")) {
    cluster.set_history(flags.GetBool("role-history"));
  }
  return cluster;
}

int Run(const Flags& flags) {
  // Signals are taken by sigwait below, not by whichever thread gRPC runs:
  // blocked before any thread starts (the logger's, at its first use), as
  // threads inherit the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  v1::Config config;
  if (!flags.Get("config").empty()) {
    auto loaded = service::LoadConfigFile(flags.Get("config"));
    if (!loaded.ok()) {
      std::cerr << "fraudgate serve: " << loaded.status().message() << "\n";
      return kExitUsage;
    }
    config = *std::move(loaded);
  }
  const std::string data =
      flags.Has("data") ? flags.Get("data") : config.server().data_dir();

  service::ServerOptions options = service::ServerOptionsFromConfig(config);
  if (flags.Has("listen")) options.listen = flags.Get("listen");
  if (flags.Has("http")) options.http_listen = flags.Get("http");
  if (flags.Has("health")) options.health_listen = flags.Get("health");
  if (flags.Has("tls-dir")) options.tls_dir = flags.Get("tls-dir");
  if (flags.Has("insecure")) options.insecure = flags.GetBool("insecure");
  options.empty_screening_handler = flags.GetBool("empty-handler");
  const std::string level_name = flags.Has("log-level")
                                     ? flags.Get("log-level")
                                     : config.server().log_level();
  const std::optional<service::LogLevel> level =
      service::LogLevelFromName(level_name);
  if (!level) {
    std::cerr << "fraudgate serve: log-level: debug, info, warning or error "
                 "expected, got \""
              << level_name << "\"\n";
    return kExitUsage;
  }
  service::Logger::Default().set_min_level(*level);
  // Refuse bad options, and files others may change or read, before the
  // data dir is opened (and created).
  absl::StatusOr<ServePreflight> preflight =
      CheckServeSetup(data, options, ClusterConfigWithFlags(config, flags));
  if (!preflight.ok()) {
    std::cerr << "fraudgate serve: " << preflight.status().message() << "\n";
    return kExitUsage;
  }
  for (const service::PermissionWarning& warning : preflight->warnings) {
    service::Logger::Default().Log(service::LogLevel::kWarning, warning.event,
                                   service::LogFields()
                                       .Add("path", warning.path)
                                       .Add("problem", warning.message));
  }
  std::optional<ClusterSettings>& cluster_options = preflight->cluster;

  // Probes reach the health port while the store opens (a long log replay,
  // or counting an old store's blocklist once) and see NOT_SERVING.
  std::unique_ptr<service::HealthPort> health_port;
  if (!options.health_listen.empty()) {
    auto started = service::HealthPort::Start(options);
    if (!started.ok()) {
      std::cerr << "fraudgate serve: " << started.status().message() << "\n";
      return kExitFailure;
    }
    health_port = *std::move(started);
  }
  service::Logger::Default().Log(service::LogLevel::kInfo, "store_opening",
                                 service::LogFields().Add("data", data));
  const absl::Time opening = absl::Now();
  store::StoreOptions store_options;
  store_options.path = data;
  // A cluster node queues its screening records for the cluster's history.
  store_options.hits_outbox = cluster_options.has_value();
  store_options.block_cache_bytes =
      static_cast<size_t>(config.store().block_cache_mb()) << 20;
  auto store = store::Store::Open(store_options);
  if (!store.ok()) {
    std::cerr << "fraudgate serve: cannot open data dir " << data << ": "
              << store.status().message() << "\n";
    return kExitFailure;
  }

  service::Logger::Default().Log(
      service::LogLevel::kInfo, "store_opened",
      service::LogFields()
          .Add("list_version",
               static_cast<int64_t>((*store)->blocklist().list_version()))
          .Add("open_ms", absl::ToDoubleMilliseconds(absl::Now() - opening)));
  // A cluster node's data alone would serve a list that no longer follows
  // the cluster's, as healthy.
  if (!cluster_options && (*store)->blocklist().stream_position() != 0) {
    std::cerr << "fraudgate serve: " << data
              << " is a cluster node's data dir (stream position "
              << (*store)->blocklist().stream_position()
              << "): serve it with --cluster (or cluster.servers)\n";
    return kExitUsage;
  }
  // A cluster node publishes police mutations to FRAUDGATE_LIST and applies
  // the stream; it is NOT_SERVING until it has caught up.
  std::unique_ptr<cluster::JetStream> nats;
  std::unique_ptr<cluster::ClusterList> cluster_list;
  std::unique_ptr<cluster::HitFeed> hit_feed;
  if (cluster_options) {
    if (cluster_options->nats.tls_dir.empty()) {
      std::cerr << "fraudgate serve: WARNING: NATS without TLS (no "
                   "cluster.tls_dir): loopback only\n";
    }
    auto connected = cluster::JetStream::Connect(cluster_options->nats);
    if (!connected.ok()) {
      std::cerr << "fraudgate serve: " << connected.status().message() << "\n";
      return kExitFailure;
    }
    nats = *std::move(connected);
    auto started = cluster::ClusterList::Start(
        nats.get(), &(*store)->blocklist(), cluster_options->list);
    if (!started.ok()) {
      std::cerr << "fraudgate serve: " << started.status().message() << "\n";
      return kExitFailure;
    }
    cluster_list = *std::move(started);
    options.list_writer = cluster_list.get();
    // Every node publishes its screenings; a history node stores them all.
    auto feed = cluster::HitFeed::Start(nats.get(), &(*store)->hits(),
                                        cluster_options->feed);
    if (!feed.ok()) {
      std::cerr << "fraudgate serve: " << feed.status().message() << "\n";
      return kExitFailure;
    }
    hit_feed = *std::move(feed);
    options.hit_recorded = [feed = hit_feed.get()](const v1::HitRecord&) {
      feed->Wake();
    };
    options.add_metrics = [list = cluster_list.get(),
                           feed = hit_feed.get()](service::Metrics& metrics) {
      using service::MetricType;
      metrics.AddFunction(
          "fraudgate_cluster_list_position",
          "Sequence of the last FRAUDGATE_LIST event applied on this node.",
          MetricType::kGauge, [list] { return list->applied(); });
      metrics.AddFunction(
          "fraudgate_cluster_list_current_age_seconds",
          "Seconds since this node was last known to have applied the whole "
          "FRAUDGATE_LIST (-1 before the first time); past max_staleness it "
          "refuses screenings.",
          MetricType::kGauge, [list] {
            const absl::Time at = list->current_at();
            return at == absl::InfinitePast()
                       ? -1.0
                       : absl::ToDoubleSeconds(absl::Now() - at);
          });
      metrics.AddFunction(
          "fraudgate_cluster_clock_offset_seconds",
          "The NATS servers' clock minus this node's, as last measured (0 "
          "before); past 30 s either way the node refuses police writes.",
          MetricType::kGauge, [list] {
            return absl::ToDoubleSeconds(
                list->clock_offset().value_or(absl::ZeroDuration()));
          });
      metrics.AddFunction(
          "fraudgate_cluster_clock_checked_age_seconds",
          "Seconds since this node's clock was last compared with the NATS "
          "servers' (-1 before the first time); police writes are refused "
          "before it and past 120 s.",
          MetricType::kGauge, [list] {
            const std::optional<absl::Duration> age = list->clock_checked_age();
            return age ? absl::ToDoubleSeconds(*age) : -1.0;
          });
      metrics.AddFunction("fraudgate_cluster_hits_published_total",
                          "Screening records published to FRAUDGATE_HITS.",
                          MetricType::kCounter,
                          [feed] { return feed->published(); });
      metrics.AddFunction(
          "fraudgate_cluster_hits_dropped_total",
          "Screening records not published to FRAUDGATE_HITS: removed by "
          "retention first, unreadable, or over the stream's max_payload.",
          MetricType::kCounter, [feed] { return feed->dropped(); });
      metrics.AddFunction(
          "fraudgate_cluster_hits_stored_total",
          "Other nodes' screening records stored here (history role).",
          MetricType::kCounter, [feed] { return feed->stored(); });
    };
    service::Logger::Default().Log(
        service::LogLevel::kInfo, "cluster_joined",
        service::LogFields()
            .Add("node", cluster_options->list.node)
            .Add(
                "stream_position",
                static_cast<int64_t>((*store)->blocklist().stream_position())));
  }
  auto server =
      service::Server::Start(store->get(), options, std::move(health_port));
  if (!server.ok()) {
    std::cerr << "fraudgate serve: " << server.status().message() << "\n";
    return kExitFailure;
  }
  // Online backups (`fraudgate backup create --data=DIR`) go through it;
  // up before "serving on" is printed.
  auto admin = service::AdminServer::Start(store->get(), data,
                                           &service::Logger::Default());
  if (options.insecure) {
    std::cerr << "fraudgate serve: WARNING: --insecure: plaintext, every "
                 "caller is admin; loopback only\n";
  }
  if (options.empty_screening_handler) {
    std::cerr << "fraudgate serve: WARNING: --empty-handler: ScreenTransfer "
                 "checks NOTHING and answers an empty response (benchmark "
                 "baseline only)\n";
  }
  std::cout << "fraudgate: serving on "
            << Bound(options.listen, (*server)->port()) << " data=" << data
            << " list_version=" << (*store)->blocklist().list_version()
            << std::endl;
  if ((*server)->health_port() != 0) {
    std::cout << "fraudgate: health (plaintext gRPC) on "
              << Bound(options.health_listen, (*server)->health_port())
              << std::endl;
  }
  if (admin.ok()) {
    std::cout << "fraudgate: admin socket " << (*admin)->socket_path()
              << std::endl;
  } else {
    std::cerr << "fraudgate serve: WARNING: no admin socket, so no online "
                 "backups: "
              << admin.status().message() << "\n";
  }
  if ((*server)->http_port() != 0) {
    std::cout << "fraudgate: analyst console on "
              << (options.insecure ? "http" : "https") << "://"
              << Bound(options.http_listen, (*server)->http_port()) << "/"
              << std::endl;
  }

  int signal = 0;
  sigwait(&signals, &signal);
  service::Logger::Default().Flush();  // the log lines first, in order
  std::cerr << "fraudgate serve: " << (signal == SIGINT ? "SIGINT" : "SIGTERM")
            << ": finishing in-flight calls\n";
  // A backup in progress is stopped: it could outlast any stop timeout.
  if (admin.ok()) admin->reset();
  (*server)->Shutdown(absl::Seconds(config.server().shutdown_grace_seconds()));
  (*server)->Wait();
  server->reset();
  hit_feed.reset();      // publishes what is queued
  cluster_list.reset();  // stops applying the stream
  nats.reset();
  service::Logger::Default().Flush();
  if (absl::Status closed = (*store)->Close(); !closed.ok()) {
    std::cerr << "fraudgate serve: " << closed.message()
              << " (nothing is lost: the next start replays the log)\n";
    return kExitFailure;
  }
  std::cerr << "fraudgate serve: stopped cleanly\n";
  return kExitOk;
}

}  // namespace

Command ServeCommand() {
  return Command{
      "serve",
      "serve --data=DIR --listen=HOST:PORT (--insecure | --tls-dir=DIR) "
      "[--http=HOST:PORT] [--config=FILE] [--cluster=tls://HOST:PORT,...]",
      "run the fraudgate server",
      {
          {"data", "./var/data", "data directory (RocksDB)"},
          {"listen", "127.0.0.1:50051", "gRPC address; port 0 picks one"},
          {"http", "",
           "HTTP address of the analyst console (e.g. 127.0.0.1:8080); "
           "default none"},
          {"health", "",
           "plaintext gRPC port serving only grpc.health.v1 (Kubernetes "
           "probes), e.g. 0.0.0.0:8081; default none"},
          {"log-level", "info",
           "lowest level logged: debug, info (an access line per call), "
           "warning, error"},
          {"insecure", "false",
           "plaintext, every caller admin; loopback addresses only", true},
          {"tls-dir", "./var/certs",
           "mutual TLS: ca.pem, server.pem, server-key.pem (re-read every "
           "minute)"},
          {"config", "", "config file (text format of fraudgate.v1.Config)"},
          {"cluster", "",
           "NATS JetStream servers, tls://HOST:PORT,... (nats:// on "
           "loopback): run as a node of a cluster (DESIGN §9); default "
           "none: a single node"},
          {"cluster-tls-dir", "",
           "cluster: mutual TLS to NATS with ca.pem, node.pem, node-key.pem; "
           "required unless every NATS server is on loopback"},
          {"node", "",
           "this node's name in the cluster; default: the host name"},
          {"role-history", "false",
           "cluster: store every node's screenings here (FRAUDGATE_HITS), so "
           "the analysts' history on this node is the cluster's",
           true},
          {"empty-handler", "false",
           "benchmarks only: ScreenTransfer answers at once and checks "
           "nothing (the baseline of bench/compare.sh)",
           true},
      },
      Run};
}

}  // namespace fraudgate::cli
