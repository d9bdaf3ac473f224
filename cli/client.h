// What the client subcommands share: connection flags, the channel, output
// format, and printing of RPC errors.
#ifndef FRAUDGATE_CLI_CLIENT_H_
#define FRAUDGATE_CLI_CLIENT_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "cli/flags.h"
#include "fraudgate/v1/fraudgate.pb.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"
#include "grpcpp/channel.h"
#include "grpcpp/support/channel_arguments.h"
#include "grpcpp/support/status.h"

namespace fraudgate::cli {

enum class Format { kTable, kJson, kCsv };

// --server, --insecure, --tls-dir, --role (default `default_role`: the role
// that usually runs the subcommand), --format, --timeout, then `extra`.
std::vector<FlagSpec> ClientFlags(std::string default_role,
                                  std::vector<FlagSpec> extra);

// A channel to --server: plaintext with --insecure, otherwise mutual TLS with
// --tls-dir's ca.pem and the client certificate <role>.pem, <role>-key.pem;
// `args` are its channel arguments. INVALID_ARGUMENT for a --timeout that is
// not a whole number >= 1 or a TLS file that cannot be read.
absl::StatusOr<std::shared_ptr<grpc::Channel>> Connect(
    const Flags& flags, const grpc::ChannelArguments& args = {});

// A new context with the deadline from --timeout (checked by Connect).
std::unique_ptr<grpc::ClientContext> NewContext(const Flags& flags);

absl::StatusOr<Format> FormatOf(const Flags& flags);

// `message` as one line of JSON with the proto field names.
std::string ToJson(const google::protobuf::Message& message);

// Prints "fraudgate: <CODE>: <message>" to stderr; returns kExitFailure.
int ReportRpcError(const grpc::Status& status);
// Prints "fraudgate: <message>" to stderr; returns `exit_code`.
int ReportError(const absl::Status& status, int exit_code);

// "2026-10-01 08:30:00+07:00": times are shown in Vietnam time.
std::string TimeText(const google::protobuf::Timestamp& t);

// The --from / --to flags (ISO 8601 date or time, Vietnam time without a
// zone); nullopt for a flag left empty. INVALID_ARGUMENT naming the flag.
struct TimeRange {
  std::optional<google::protobuf::Timestamp> from;
  std::optional<google::protobuf::Timestamp> to;
};
absl::StatusOr<TimeRange> TimeRangeOf(const Flags& flags);

// "BANK_ACCOUNT:970436:0071001234567"; "-" for an unset identifier.
std::string IdentifierText(const v1::Identifier& id);

// Prints rows as left-aligned columns under `header`.
void PrintTable(const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows);

}  // namespace fraudgate::cli

#endif  // FRAUDGATE_CLI_CLIENT_H_
