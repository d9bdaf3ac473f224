// `fraudgate serve`: the composition root — config -> store -> server, every
// step checked — then serve until SIGINT or SIGTERM.
#include <signal.h>

#include <iostream>
#include <thread>

#include "cli/command.h"
#include "core/text.h"
#include "service/config.h"
#include "service/convert.h"
#include "service/server.h"
#include "store/store.h"

namespace fraudgate::cli {
namespace {

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
  const std::string listen =
      flags.Has("listen") ? flags.Get("listen") : config.server().listen();

  service::ServerOptions options;
  options.listen = listen;
  options.http_listen =
      flags.Has("http") ? flags.Get("http") : config.server().http_listen();
  options.insecure = flags.GetBool("insecure");
  options.empty_screening_handler = flags.GetBool("empty-handler");
  options.tls_dir =
      flags.Has("tls-dir") ? flags.Get("tls-dir") : config.server().tls_dir();
  options.scoring = service::ScoringOptionsFromConfig(config.scoring());
  options.reports.default_lifetime =
      service::ReportLifetimesFromConfig(config.reports());
  options.retention = service::RetentionOptionsFromConfig(config.history());
  options.limits = service::ServerLimitsFromConfig(config.limits());
  options.probes = service::ProbeOptionsFromConfig(config.probes());
  options.tls_refresh_seconds = config.server().tls_refresh_seconds();
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

  auto server = service::Server::Start(store->get(), options);
  if (!server.ok()) {
    std::cerr << "fraudgate serve: " << server.status().message() << "\n";
    return kExitFailure;
  }
  const std::string host = listen.substr(0, listen.rfind(':'));
  if (options.insecure) {
    std::cerr << "fraudgate serve: WARNING: --insecure: plaintext, every "
                 "caller is admin; loopback only\n";
  }
  if (options.empty_screening_handler) {
    std::cerr << "fraudgate serve: WARNING: --empty-handler: ScreenTransfer "
                 "checks NOTHING and answers an empty response (benchmark "
                 "baseline only)\n";
  }
  std::cout << "fraudgate: serving on " << host << ":" << (*server)->port()
            << " data=" << data
            << " list_version=" << (*store)->blocklist().list_version()
            << std::endl;
  if ((*server)->http_port() != 0) {
    const std::string& http = options.http_listen;
    std::cout << "fraudgate: analyst console on "
              << (options.insecure ? "http" : "https") << "://"
              << http.substr(0, http.rfind(':')) << ":"
              << (*server)->http_port() << "/" << std::endl;
  }

  int signal = 0;
  sigwait(&signals, &signal);
  std::cerr << "fraudgate serve: " << (signal == SIGINT ? "SIGINT" : "SIGTERM")
            << ": finishing in-flight calls\n";
  (*server)->Shutdown(absl::Seconds(5));
  (*server)->Wait();
  server->reset();
  store->reset();
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
