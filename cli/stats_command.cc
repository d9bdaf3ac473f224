// `fraudgate stats`: screenings by decision and the most matched identifiers
// in a time window.
#include <iostream>

#include "cli/client.h"
#include "cli/command.h"
#include "cli/csv_output.h"
#include "core/text.h"
#include "fraudgate/v1/fraudgate.grpc.pb.h"
#include "service/convert.h"

namespace fraudgate::cli {
namespace {

int Run(const Flags& flags) {
  auto format = FormatOf(flags);
  if (!format.ok()) return ReportError(format.status(), kExitUsage);
  v1::HitStatsRequest request;
  auto range = TimeRangeOf(flags);
  if (!range.ok()) return ReportError(range.status(), kExitUsage);
  if (range->from) *request.mutable_from() = *range->from;
  if (range->to) *request.mutable_to() = *range->to;
  auto top = flags.GetInt("top");
  if (!top.ok()) return ReportError(top.status(), kExitUsage);
  request.set_top_n(static_cast<int32_t>(*top));
  auto channel = Connect(flags);
  if (!channel.ok()) return ReportError(channel.status(), kExitUsage);
  v1::HitStatsResponse response;
  auto context = NewContext(flags);
  grpc::Status s = v1::HistoryService::NewStub(*channel)->HitStats(
      context.get(), request, &response);
  if (!s.ok()) return ReportRpcError(s);
  if (*format == Format::kJson) {
    std::cout << ToJson(response) << "\n";
    return kExitOk;
  }
  std::vector<std::vector<std::string>> decisions, top_rows;
  for (const v1::DecisionCount& d : response.by_decision()) {
    decisions.push_back(
        {service::DecisionText(d.decision()), std::to_string(d.count())});
  }
  for (const v1::IdentifierCount& c : response.top_identifiers()) {
    top_rows.push_back(
        {IdentifierText(c.identifier()), std::to_string(c.hits())});
  }
  if (*format == Format::kCsv) {
    PrintCsv({"IDENTIFIER", "HITS"}, top_rows);
    return kExitOk;
  }
  std::cout << "screenings  " << response.screenings()
            << (response.truncated() ? " (window truncated to the newest)" : "")
            << "\n\n";
  PrintTable({"DECISION", "COUNT"}, decisions);
  std::cout << "\n";
  if (response.by_day_size() > 1) {
    std::vector<std::vector<std::string>> days;
    for (const v1::DayCount& day : response.by_day()) {
      std::vector<std::string>& row = days.emplace_back();
      row.push_back(day.day());
      for (const v1::DecisionCount& d : day.by_decision()) {
        row.push_back(std::to_string(d.count()));
      }
    }
    PrintTable({"DAY (+07)", "ALLOW", "WARN", "HOLD", "BLOCK"}, days);
    std::cout << "\n";
  }
  PrintTable({"IDENTIFIER", "HITS"}, top_rows);
  return kExitOk;
}

}  // namespace

Command StatsCommand() {
  return Command{
      "stats", "stats [--from=T] [--to=T] [--top=N]",
      "screenings by decision and the most matched identifiers in a window",
      ClientFlags(
          "analyst",
          {{"from", "", "ISO 8601 date or time (default: 24 h before --to)"},
           {"to", "", "ISO 8601 date or time, exclusive (default: now)"},
           {"top", "10", "how many identifiers to list (<= 1000)"}}),
      Run};
}

}  // namespace fraudgate::cli
