#include "cli/client.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <utility>

#include "absl/time/time.h"
#include "cli/command.h"
#include "cli/csv_output.h"
#include "core/memo.h"
#include "core/report_time.h"
#include "core/text.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "proto/proto_time.h"
#include "service/convert.h"
#include "service/report_service.h"

namespace fraudgate::cli {
namespace {

std::string_view CodeName(grpc::StatusCode code) {
  static constexpr std::string_view kNames[] = {"OK",
                                                "CANCELLED",
                                                "UNKNOWN",
                                                "INVALID_ARGUMENT",
                                                "DEADLINE_EXCEEDED",
                                                "NOT_FOUND",
                                                "ALREADY_EXISTS",
                                                "PERMISSION_DENIED",
                                                "RESOURCE_EXHAUSTED",
                                                "FAILED_PRECONDITION",
                                                "ABORTED",
                                                "OUT_OF_RANGE",
                                                "UNIMPLEMENTED",
                                                "INTERNAL",
                                                "UNAVAILABLE",
                                                "DATA_LOSS",
                                                "UNAUTHENTICATED"};
  const int i = static_cast<int>(code);
  return i >= 0 && i < 17 ? kNames[i] : "UNKNOWN";
}

}  // namespace

std::vector<FlagSpec> ClientFlags(std::string default_role,
                                  std::vector<FlagSpec> extra) {
  std::vector<FlagSpec> flags = {
      {"server", "127.0.0.1:50051", "fraudgate server HOST:PORT"},
      {"insecure", "false", "plaintext connection (loopback servers only)",
       true},
      {"tls-dir", "./var/certs",
       "mutual TLS: ca.pem and the client certificate <role>.pem, "
       "<role>-key.pem"},
      {"role", std::move(default_role),
       "client certificate <role>.pem of --tls-dir: bank, police, analyst, "
       "admin, or a NAME made by dev-certs.sh issue"},
      {"format", "table",
       core::StrCat("output: table, json or csv (", kCsvFormatHelp, ")")},
      {"timeout", "30", "deadline of each call, seconds"},
  };
  flags.insert(flags.end(), extra.begin(), extra.end());
  return flags;
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> Connect(
    const Flags& flags, const grpc::ChannelArguments& args) {
  auto timeout = flags.GetInt("timeout");
  if (!timeout.ok()) return timeout.status();
  if (*timeout < 1) {
    return absl::InvalidArgumentError("--timeout: must be at least 1 second");
  }
  if (flags.GetBool("insecure")) {
    return grpc::CreateCustomChannel(flags.Get("server"),
                                     grpc::InsecureChannelCredentials(), args);
  }
  const std::string dir = flags.Get("tls-dir");
  const std::string role = flags.Get("role");
  grpc::SslCredentialsOptions tls;
  for (auto [name, field] :
       {std::pair{std::string("ca.pem"), &tls.pem_root_certs},
        std::pair{role + ".pem", &tls.pem_cert_chain},
        std::pair{role + "-key.pem", &tls.pem_private_key}}) {
    const std::string path = core::StrCat(dir, "/", name);
    std::ifstream in(path);
    if (!in) {
      return absl::InvalidArgumentError(core::StrCat(
          "--tls-dir: cannot read ", path,
          " (scripts/dev-certs.sh makes development certificates; --role "
          "picks the client certificate)"));
    }
    std::stringstream text;
    text << in.rdbuf();
    *field = text.str();
  }
  return grpc::CreateCustomChannel(flags.Get("server"),
                                   grpc::SslCredentials(tls), args);
}

std::unique_ptr<grpc::ClientContext> NewContext(const Flags& flags) {
  auto context = std::make_unique<grpc::ClientContext>();
  auto seconds = flags.GetInt("timeout");
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::seconds(seconds.ok() ? *seconds : 30));
  if (flags.Has("wait-applied") && flags.GetBool("wait-applied")) {
    context->AddMetadata(service::kWaitAppliedHeader, "true");
  }
  return context;
}

absl::StatusOr<Format> FormatOf(const Flags& flags) {
  const std::string& f = flags.Get("format");
  if (f == "table") return Format::kTable;
  if (f == "json") return Format::kJson;
  if (f == "csv") return Format::kCsv;
  return absl::InvalidArgumentError(
      core::StrCat("--format: must be table, json or csv (got \"", f, "\")"));
}

std::string ToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(message, &out, options);
  return out;
}

int ReportRpcError(const grpc::Status& status) {
  std::cerr << "fraudgate: " << CodeName(status.error_code()) << ": "
            << status.error_message() << "\n";
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE &&
      status.error_message().find("connect") != std::string::npos) {
    std::cerr << "fraudgate: is the server running at that address? "
                 "(--server=HOST:PORT; ./scripts/run.sh starts one on "
                 "127.0.0.1:50051)\n";
  }
  return kExitFailure;
}

int ReportError(const absl::Status& status, int exit_code) {
  std::cerr << "fraudgate: " << status.message() << "\n";
  return exit_code;
}

std::string TimeText(const google::protobuf::Timestamp& t) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S%Ez", FromProtoTime(t),
                          absl::FixedTimeZone(7 * 3600));
}

absl::StatusOr<TimeRange> TimeRangeOf(const Flags& flags) {
  TimeRange range;
  for (auto [name, field] :
       {std::pair{"from", &range.from}, std::pair{"to", &range.to}}) {
    if (flags.Get(name).empty()) continue;
    auto t = core::ParseReportTime(flags.Get(name), core::StrCat("--", name));
    if (!t.ok()) return t.status();
    *field = ToProtoTime(*t);
  }
  return range;
}

std::string IdentifierText(const v1::Identifier& id) {
  if (id.kind() == v1::IDENTIFIER_KIND_UNSPECIFIED) return "-";
  return service::FromProto(id).ToString();
}

void PrintTable(const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width(header.size());
  for (size_t i = 0; i < header.size(); ++i) width[i] = header[i].size();
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size() && i < width.size(); ++i) {
      width[i] = std::max(width[i], core::Utf8Length(row[i]));
    }
  }
  auto print = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) {
        line.append(width[i] - core::Utf8Length(row[i]) + 2, ' ');
      }
    }
    std::cout << line << "\n";
  };
  print(header);
  for (const auto& row : rows) print(row);
}

}  // namespace fraudgate::cli
