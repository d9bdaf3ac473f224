#include "cli/flags.h"

#include "absl/strings/numbers.h"
#include "core/text.h"

namespace fraudgate::cli {

absl::StatusOr<Flags> Flags::Parse(const std::vector<std::string>& args,
                                   const std::vector<FlagSpec>& specs) {
  Flags flags;
  for (const FlagSpec& s : specs) flags.defaults_[s.name] = s.default_value;
  auto find = [&](const std::string& name) -> const FlagSpec* {
    for (const FlagSpec& s : specs) {
      if (s.name == name) return &s;
    }
    return nullptr;
  };
  bool only_positional = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (only_positional || !arg.starts_with("--")) {
      flags.positional_.push_back(arg);
      continue;
    }
    if (arg == "--") {
      only_positional = true;
      continue;
    }
    const size_t eq = arg.find('=');
    const std::string name =
        arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    const FlagSpec* spec = find(name);
    if (spec == nullptr) {
      return absl::InvalidArgumentError(core::StrCat("unknown flag --", name));
    }
    std::string value;
    if (eq != std::string::npos) {
      value = arg.substr(eq + 1);
    } else if (spec->is_bool) {
      value = "true";
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return absl::InvalidArgumentError(
          core::StrCat("--", name, ": a value is required"));
    }
    if (spec->is_bool && value != "true" && value != "false") {
      return absl::InvalidArgumentError(core::StrCat(
          "--", name, ": must be true or false (got \"", value, "\")"));
    }
    auto& slot = flags.values_[name];
    if (!slot.empty() && !spec->repeated) {
      return absl::InvalidArgumentError(
          core::StrCat("--", name, ": given more than once"));
    }
    slot.push_back(std::move(value));
  }
  return flags;
}

const std::string& Flags::Get(const std::string& name) const {
  auto it = values_.find(name);
  if (it != values_.end()) return it->second.back();
  return defaults_.at(name);
}

bool Flags::GetBool(const std::string& name) const {
  return Get(name) == "true";
}

std::vector<std::string> Flags::GetAll(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

absl::StatusOr<int64_t> Flags::GetInt(const std::string& name) const {
  int64_t v = 0;
  if (!absl::SimpleAtoi(Get(name), &v)) {
    return absl::InvalidArgumentError(
        core::StrCat("--", name, ": not an integer (got \"", Get(name), "\")"));
  }
  return v;
}

std::string FlagsHelp(const std::vector<FlagSpec>& specs) {
  std::string out;
  for (const FlagSpec& s : specs) {
    std::string left = core::StrCat("  --", s.name);
    if (!s.is_bool) {
      left += s.default_value.empty() ? "=VALUE"
                                      : core::StrCat("=", s.default_value);
    }
    if (left.size() < 30) left.resize(30, ' ');
    out += core::StrCat(left, " ", s.help, s.repeated ? " (repeatable)" : "",
                        "\n");
  }
  return out;
}

}  // namespace fraudgate::cli
