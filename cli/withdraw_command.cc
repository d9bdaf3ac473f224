// `fraudgate withdraw`: the police withdraw a whole report.
#include <iostream>

#include "cli/client.h"
#include "cli/command.h"
#include "cli/csv_output.h"
#include "fraudgate/v1/fraudgate.grpc.pb.h"

namespace fraudgate::cli {
namespace {

int Run(const Flags& flags) {
  auto format = FormatOf(flags);
  if (!format.ok()) return ReportError(format.status(), kExitUsage);
  auto channel = Connect(flags);
  if (!channel.ok()) return ReportError(channel.status(), kExitUsage);
  v1::WithdrawReportRequest request;
  request.set_agency(flags.Get("agency"));
  request.set_report_id(flags.Get("report-id"));
  request.set_reason(flags.Get("reason"));
  request.set_reference(flags.Get("reference"));
  v1::WithdrawReportResponse response;
  auto context = NewContext(flags);
  grpc::Status s = v1::ReportService::NewStub(*channel)->WithdrawReport(
      context.get(), request, &response);
  if (!s.ok()) return ReportRpcError(s);
  if (*format == Format::kJson) {
    std::cout << ToJson(response) << "\n";
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  for (const v1::Identifier& id : response.delisted()) {
    rows.push_back({IdentifierText(id), "DELISTED"});
  }
  for (const v1::Identifier& id : response.still_listed()) {
    rows.push_back({IdentifierText(id), "ACTIVE (other reports)"});
  }
  if (*format == Format::kCsv) {
    PrintCsv({"IDENTIFIER", "STATUS"}, rows);
    return kExitOk;
  }
  if (response.pending()) {
    std::cout << "withdrawal stored on the cluster at list_version "
              << response.list_version()
              << "; its nodes apply it (--wait-applied waits, and lists what "
                 "it delisted)\n";
    return kExitOk;
  }
  std::cout << (response.unchanged() ? "already withdrawn" : "withdrawn")
            << ", list_version " << response.list_version() << "\n";
  if (!rows.empty()) {
    std::cout << "\n";
    PrintTable({"IDENTIFIER", "STATUS"}, rows);
  }
  return kExitOk;
}

}  // namespace

Command WithdrawCommand() {
  return Command{
      "withdraw",
      "withdraw --agency=A --report-id=R --reason=WHY --reference=DOC",
      "withdraw a whole police report; identifiers left with no report are "
      "delisted",
      ClientFlags(
          "police",
          {{"agency", "", "agency of the report (required)"},
           {"report-id", "", "report id (required)"},
           {"reason", "", "why it is withdrawn (required)"},
           {"reference", "", "police document number (required)"},
           {"wait-applied", "false",
            "on a cluster node: answer once that node applied it", true}}),
      Run};
}

}  // namespace fraudgate::cli
