// The `fraudgate` binary: one subcommand per Command (cli/command.h).
#include <iostream>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/flags.h"

namespace {

using fraudgate::cli::Command;

std::vector<Command> Commands() {
  using namespace fraudgate::cli;
  return {ServeCommand(),  ScreenCommand(), ImportCommand(),
          EntityCommand(), DelistCommand(), HitsCommand()};
}

void PrintHelp(const std::vector<Command>& commands) {
  std::cout << "fraudgate: screen bank transfers against the police extortion "
               "blocklist\n\nusage: fraudgate SUBCOMMAND [flags]\n\n";
  for (const Command& c : commands) {
    std::string name = "  " + c.name;
    name.resize(12, ' ');
    std::cout << name << c.summary << "\n";
  }
  std::cout << "\n`fraudgate SUBCOMMAND --help` lists a subcommand's flags.\n";
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<Command> commands = Commands();
  if (argc < 2 || std::string(argv[1]) == "help" ||
      std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h") {
    PrintHelp(commands);
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
    return c.run(*flags);
  }
  std::cerr << "fraudgate: unknown subcommand \"" << name
            << "\" (see fraudgate help)\n";
  return fraudgate::cli::kExitUsage;
}
