// A `fraudgate` subcommand: its name, help, flags and entry point. Each
// cli/*_command.cc defines one or more and main.cc lists them.
#ifndef FRAUDGATE_CLI_COMMAND_H_
#define FRAUDGATE_CLI_COMMAND_H_

#include <functional>
#include <string>
#include <vector>

#include "cli/flags.h"

namespace fraudgate::cli {

// Exit codes of every subcommand.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // the operation failed
inline constexpr int kExitUsage = 2;    // bad flags or arguments

struct Command {
  std::string name;
  std::string usage;    // e.g. "screen [flags]"
  std::string summary;  // one line
  std::vector<FlagSpec> flags;
  std::function<int(const Flags&)> run;
  // Whether it takes positional arguments (a file, a sub-action); the others
  // refuse them, so an unquoted value with spaces is not silently cut.
  bool takes_arguments = false;
};

Command ServeCommand();
Command ScreenCommand();
Command ImportCommand();
Command EntityCommand();
Command DelistCommand();
Command HitsCommand();
Command WithdrawCommand();
Command AuditCommand();
Command OutcomeCommand();
Command StatsCommand();
Command PastCommand();
Command HealthCommand();
Command ConfigCommand();
Command BackupCommand();

}  // namespace fraudgate::cli

#endif  // FRAUDGATE_CLI_COMMAND_H_
