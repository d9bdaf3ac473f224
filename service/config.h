// Loading the server configuration file (DESIGN §1): protobuf text format of
// fraudgate.v1.Config (proto/fraudgate/v1/config.proto documents every field
// and its default).
#ifndef FRAUDGATE_SERVICE_CONFIG_H_
#define FRAUDGATE_SERVICE_CONFIG_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "fraudgate/v1/config.pb.h"
#include "service/server.h"

namespace fraudgate::service {

// Parses and checks config text. `name` (a file name) prefixes errors.
// INVALID_ARGUMENT "<name>:<line>:<column>: <what>" for syntax errors and
// unknown fields, and "<name>:<line>: <field>: <what>" for values out of
// range (e.g. "fraudgate.conf:4: scoring.block_threshold: must be between
// 60 and 100 (got 50)").
absl::StatusOr<v1::Config> ParseConfig(std::string_view text,
                                       std::string_view name);

// The limits a LimitsConfig sets (defaults equal ServerLimits{}).
ServerLimits ServerLimitsFromConfig(const v1::LimitsConfig& config);

// The anti-probing options a ProbeConfig sets (defaults equal
// ProbeOptions{}).
ProbeOptions ProbeOptionsFromConfig(const v1::ProbeConfig& config);

// The access-log options a ServerConfig sets (defaults equal
// AccessLogOptions{}).
AccessLogOptions AccessLogOptionsFromConfig(const v1::ServerConfig& config);

// The server options `config` sets, every one (a caller applies its flags
// over them). The data dir, block cache, log level and shutdown grace are
// the caller's to read from config.server() and config.store().
ServerOptions ServerOptionsFromConfig(const v1::Config& config);

// The whole default configuration in text format: every field of Config at
// its default, each after its comment from config.proto, as
// `fraudgate config defaults` prints it. ParseConfig accepts it.
std::string DefaultConfigText();

// Reads and parses a config file; NOT_FOUND when it cannot be read.
absl::StatusOr<v1::Config> LoadConfigFile(const std::string& path);

}  // namespace fraudgate::service

#endif  // FRAUDGATE_SERVICE_CONFIG_H_
