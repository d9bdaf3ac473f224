// The `fraudgate` binary: one subcommand per Command (cli/command.h).
#include <sys/stat.h>

#include <iostream>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "cli/command.h"
#include "cli/flags.h"

namespace {

using fraudgate::cli::Command;

std::vector<Command> Commands() {
  using namespace fraudgate::cli;
  return {ServeCommand(),  ScreenCommand(),   ImportCommand(), EntityCommand(),
          DelistCommand(), WithdrawCommand(), HitsCommand(),   OutcomeCommand(),
          StatsCommand(),  PastCommand(),     AuditCommand(),  HealthCommand(),
          ConfigCommand(), BackupCommand()};
}

void PrintHelp(const std::vector<Command>& commands, std::ostream& out) {
  out << "fraudgate: screen bank transfers against the police extortion "
         "blocklist\n\nusage: fraudgate SUBCOMMAND [flags]\n\n";
  for (const Command& c : commands) {
    std::string name = "  " + c.name;
    name.resize(12, ' ');
    out << name << c.summary << "\n";
  }
  out << "\n`fraudgate SUBCOMMAND --help` lists a subcommand's flags.\n";
}

}  // namespace

int main(int argc, char** argv) {
  // What any subcommand makes is its user's alone, whatever the caller's
  // umask: a new data dir 0700 and its files (the WAL and tables hold listed
  // identifiers and who screened what) 0600, and likewise a backup, a
  // restored data dir and the admin socket.
  umask(077);
  // Debian's Abseil checks every absl::Mutex acquisition for lock-order
  // cycles, which took ~4% of a loaded server's CPU (bench/RESULTS.md);
  // the test suite, which does not run through main, keeps the check.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  const std::vector<Command> commands = Commands();
  if (argc < 2 || std::string(argv[1]) == "help" ||
      std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h") {
    // Without a subcommand it is a usage error: help goes to stderr.
    PrintHelp(commands, argc < 2 ? std::cerr : std::cout);
    return argc < 2 ? fraudgate::cli::kExitUsage : fraudgate::cli::kExitOk;
  }
  const std::string name = argv[1];
  for (const Command& c : commands) {
    if (c.name != name) continue;
    std::vector<std::string> args(argv + 2, argv + argc);
    for (const std::string& a : args) {
      if (a == "--help" || a == "-h") {
        std::cout << "usage: fraudgate " << c.usage << "\n\n"
                  << c.summary << "\n\nflags:\n"
                  << fraudgate::cli::FlagsHelp(c.flags);
        return fraudgate::cli::kExitOk;
      }
    }
    auto flags = fraudgate::cli::Flags::Parse(args, c.flags);
    if (!flags.ok()) {
      std::cerr << "fraudgate " << name << ": " << flags.status().message()
                << " (see fraudgate " << name << " --help)\n";
      return fraudgate::cli::kExitUsage;
    }
    // Only import takes arguments. Elsewhere a stray one is most likely part
    // of a value with spaces (`--account 1023 456 789`): screening "1023"
    // instead would give a wrong answer.
    if (!c.takes_arguments && !flags->positional().empty()) {
      std::cerr << "fraudgate " << name << ": unexpected argument \""
                << flags->positional().front()
                << "\" (quote values that contain spaces; see fraudgate "
                << name << " --help)\n";
      return fraudgate::cli::kExitUsage;
    }
    return c.run(*flags);
  }
  std::cerr << "fraudgate: unknown subcommand \"" << name
            << "\" (see fraudgate help)\n";
  return fraudgate::cli::kExitUsage;
}
