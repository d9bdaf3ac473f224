// `fraudgate config check FILE` checks a server config file as `fraudgate
// serve --config=FILE` would before it opens the data dir (syntax, unknown
// fields, ranges, TLS files, loopback for insecure, the cluster section, who
// else may change the data dir or read the TLS keys; cli/serve_preflight.h);
// `fraudgate config defaults` prints every field at its default, documented.
#include <iostream>

#include "cli/command.h"
#include "cli/serve_preflight.h"
#include "service/config.h"

namespace fraudgate::cli {
namespace {

int Check(const std::string& path) {
  auto config = service::LoadConfigFile(path);
  if (!config.ok()) {
    std::cerr << "fraudgate config: " << config.status().message() << "\n";
    return kExitUsage;
  }
  auto preflight = CheckServeSetup(config->server().data_dir(),
                                   service::ServerOptionsFromConfig(*config),
                                   config->cluster());
  if (!preflight.ok()) {
    std::cerr << "fraudgate config: " << preflight.status().message() << "\n";
    return kExitUsage;
  }
  for (const service::PermissionWarning& warning : preflight->warnings) {
    std::cerr << "fraudgate config: WARNING: " << warning.message << "\n";
  }
  std::cout << "config OK: " << path << "\n";
  return kExitOk;
}

int Run(const Flags& flags) {
  const std::vector<std::string>& args = flags.positional();
  if (args.size() == 2 && args[0] == "check") return Check(args[1]);
  if (args.size() == 1 && args[0] == "defaults") {
    std::cout << service::DefaultConfigText();
    return kExitOk;
  }
  std::cerr << "usage: fraudgate config check FILE | fraudgate config "
               "defaults\n";
  return kExitUsage;
}

}  // namespace

Command ConfigCommand() {
  return Command{"config",
                 "config check FILE | config defaults",
                 "check a server config file, or print the documented "
                 "defaults",
                 {},
                 Run,
                 /*takes_arguments=*/true};
}

}  // namespace fraudgate::cli
