// Command-line flags of the `fraudgate` subcommands. Flags are
// `--name=value`, `--name value` or `--name` (booleans); `--` ends flags.
// Each subcommand declares its flags with their defaults and help, so
// `fraudgate SUBCOMMAND --help` lists them and unknown flags are refused.
#ifndef FRAUDGATE_CLI_FLAGS_H_
#define FRAUDGATE_CLI_FLAGS_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace fraudgate::cli {

struct FlagSpec {
  std::string name;  // without "--"
  std::string default_value;
  std::string help;
  bool is_bool = false;
  bool repeated = false;  // may be given several times
};

class Flags {
 public:
  // Parses `args` (after the subcommand name) against `specs`.
  // INVALID_ARGUMENT naming the flag for an unknown flag, a missing value, a
  // boolean flag set to anything but true/false, or a non-repeated flag given
  // twice.
  static absl::StatusOr<Flags> Parse(const std::vector<std::string>& args,
                                     const std::vector<FlagSpec>& specs);

  // The value given, or the declared default.
  const std::string& Get(const std::string& name) const;
  bool GetBool(const std::string& name) const;
  // Every value of a repeated flag, in order.
  std::vector<std::string> GetAll(const std::string& name) const;
  bool Has(const std::string& name) const { return values_.count(name) > 0; }
  // INVALID_ARGUMENT "--name: not an integer" when the value is not one.
  absl::StatusOr<int64_t> GetInt(const std::string& name) const;

  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::map<std::string, std::vector<std::string>> values_;
  std::map<std::string, std::string> defaults_;
  std::vector<std::string> positional_;
};

// "  --name=DEFAULT  help" lines for --help.
std::string FlagsHelp(const std::vector<FlagSpec>& specs);

}  // namespace fraudgate::cli

#endif  // FRAUDGATE_CLI_FLAGS_H_
