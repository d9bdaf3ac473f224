// `fraudgate serve`: the composition root — config -> store -> server, every
// step checked — then serve until SIGINT or SIGTERM.
#include <signal.h>

#include <iostream>
#include <thread>

#include "cli/command.h"
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

int Run(const Flags& flags) {
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
  // Refuse bad options before the data dir is opened (and created).
  if (auto s = service::ValidateServerOptions(options); !s.ok()) {
    std::cerr << "fraudgate serve: " << s.message() << "\n";
    return kExitUsage;
  }

  // Signals are taken by sigwait below, not by whichever thread gRPC runs.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

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
      "[--http=HOST:PORT] [--config=FILE]",
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
          {"empty-handler", "false",
           "benchmarks only: ScreenTransfer answers at once and checks "
           "nothing (the baseline of bench/compare.sh)",
           true},
      },
      Run};
}

}  // namespace fraudgate::cli
