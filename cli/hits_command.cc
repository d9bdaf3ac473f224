// `fraudgate hits`: the screening history, newest first.
#include <iostream>

#include "absl/time/time.h"
#include "cli/client.h"
#include "cli/command.h"
#include "core/identifier.h"
#include "core/text.h"
#include "fraudgate/v1/fraudgate.grpc.pb.h"

namespace fraudgate::cli {
namespace {

int Run(const Flags& flags) {
  auto format = FormatOf(flags);
  if (!format.ok()) return ReportError(format.status(), kExitUsage);
  v1::QueryHitsRequest request;
  if (!flags.Get("kind").empty() || !flags.Get("value").empty()) {
    v1::IdentifierKind kind;
    if (!v1::IdentifierKind_Parse(core::AsciiUpper(flags.Get("kind")), &kind)) {
      return ReportError(
          absl::InvalidArgumentError(
              "--kind: PHONE, BANK_ACCOUNT, EWALLET or CHAT_HANDLE"),
          kExitUsage);
    }
    request.mutable_identifier()->set_kind(kind);
    request.mutable_identifier()->set_issuer(flags.Get("issuer"));
    request.mutable_identifier()->set_value(flags.Get("value"));
  }
  auto range = TimeRangeOf(flags);
  if (!range.ok()) return ReportError(range.status(), kExitUsage);
  if (range->from) *request.mutable_from() = *range->from;
  if (range->to) *request.mutable_to() = *range->to;
  auto page_size = flags.GetInt("page-size");
  if (!page_size.ok()) return ReportError(page_size.status(), kExitUsage);
  request.set_page_size(static_cast<int32_t>(*page_size));
  request.set_page_token(flags.Get("page-token"));

  auto channel = Connect(flags);
  if (!channel.ok()) return ReportError(channel.status(), kExitUsage);
  v1::QueryHitsResponse response;
  auto context = NewContext(flags);
  grpc::Status s = v1::HistoryService::NewStub(*channel)->QueryHits(
      context.get(), request, &response);
  if (!s.ok()) return ReportRpcError(s);

  if (*format == Format::kJson) {
    std::cout << ToJson(response) << "\n";
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  for (const v1::Hit& h : response.hits()) {
    rows.push_back({TimeText(h.screened_at()),
                    v1::Decision_Name(h.decision()).substr(9),
                    std::to_string(h.score()), h.transfer_id(),
                    // Machines get an empty field, people a dash.
                    h.has_beneficiary()       ? IdentifierText(h.beneficiary())
                    : *format == Format::kCsv ? ""
                                              : "-",
                    h.caller(), h.hit_id()});
  }
  const std::vector<std::string> header = {
      "SCREENED_AT", "DECISION", "SCORE", "TRANSFER",
      "BENEFICIARY", "CALLER",   "HIT_ID"};
  if (*format == Format::kCsv) {
    PrintCsv(header, rows);
  } else {
    PrintTable(header, rows);
    if (!response.next_page_token().empty()) {
      std::cout << "\nmore: --page-token=" << response.next_page_token()
                << "\n";
    }
  }
  return kExitOk;
}

}  // namespace

Command HitsCommand() {
  return Command{"hits",
                 "hits [--kind=K --issuer=I --value=V] [--from=T] [--to=T]",
                 "search the screening history, newest first",
                 ClientFlags({
                     {"kind", "", "identifier kind to search by"},
                     {"issuer", "", "identifier issuer"},
                     {"value", "", "identifier value (any accepted form)"},
                     {"from", "", "ISO 8601 date or time, inclusive"},
                     {"to", "", "ISO 8601 date or time, exclusive"},
                     {"page-size", "100", "hits per page (<= 1000)"},
                     {"page-token", "", "continue from a previous page"},
                 }),
                 Run};
}

}  // namespace fraudgate::cli
