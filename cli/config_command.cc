// `fraudgate config check FILE` checks a server config file as `fraudgate
// serve --config=FILE` would before it opens the data dir (syntax, unknown
// fields, ranges, TLS files, loopback for insecure, the cluster section);
// `fraudgate config defaults` prints every field at its default, documented.
#include <iostream>

#include "cli/cluster_settings.h"
#include "cli/command.h"
#include "service/config.h"

namespace fraudgate::cli {
namespace {

int Check(const std::string& path) {
  auto config = service::LoadConfigFile(path);
  absl::Status s = config.status();
  if (s.ok()) {
    s = service::ValidateServerOptions(
        service::ServerOptionsFromConfig(*config));
  }
  if (s.ok()) s = ClusterSettingsFromConfig(config->cluster()).status();
  if (!s.ok()) {
    std::cerr << "fraudgate config: " << s.message() << "\n";
    return kExitUsage;
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
