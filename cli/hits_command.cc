// `fraudgate hits` (the screening history) and `fraudgate past` (earlier
// transfers to one beneficiary): lists of hits, newest first.
#include <iostream>
#include <optional>

#include "absl/time/time.h"
#include "cli/client.h"
#include "cli/command.h"
#include "core/identifier.h"
#include "core/text.h"
#include "fraudgate/v1/fraudgate.grpc.pb.h"

namespace fraudgate::cli {
namespace {

absl::StatusOr<std::optional<v1::Identifier>> IdentifierFlags(
    const Flags& flags) {
  if (flags.Get("kind").empty() && flags.Get("value").empty()) {
    return std::nullopt;
  }
  v1::IdentifierKind kind;
  if (!v1::IdentifierKind_Parse(core::AsciiUpper(flags.Get("kind")), &kind) ||
      kind == v1::IDENTIFIER_KIND_UNSPECIFIED) {
    return absl::InvalidArgumentError(
        "--kind: PHONE, BANK_ACCOUNT, EWALLET or CHAT_HANDLE");
  }
  v1::Identifier id;
  id.set_kind(kind);
  id.set_issuer(flags.Get("issuer"));
  id.set_value(flags.Get("value"));
  return id;
}

void PrintHits(const v1::QueryHitsResponse& response, Format format) {
  if (format == Format::kJson) {
    std::cout << ToJson(response) << "\n";
    return;
  }
  std::vector<std::vector<std::string>> rows;
  for (const v1::Hit& h : response.hits()) {
    rows.push_back(
        {TimeText(h.screened_at()), v1::Decision_Name(h.decision()).substr(9),
         std::to_string(h.score()), std::to_string(h.amount()), h.transfer_id(),
         // Machines get an empty field, people a dash.
         h.has_beneficiary()      ? IdentifierText(h.beneficiary())
         : format == Format::kCsv ? ""
                                  : "-",
         h.caller(), h.hit_id()});
  }
  const std::vector<std::string> header = {
      "SCREENED_AT", "DECISION",    "SCORE",  "AMOUNT",
      "TRANSFER",    "BENEFICIARY", "CALLER", "HIT_ID"};
  if (format == Format::kCsv) {
    PrintCsv(header, rows);
    return;
  }
  PrintTable(header, rows);
  if (!response.next_page_token().empty()) {
    std::cout << "\nmore: --page-token=" << response.next_page_token() << "\n";
  }
}

// Runs `call` with a request whose identifier, time range and paging come
// from the flags, and prints the hits.
template <typename Request>
int ListHits(const Flags& flags, bool identifier_required,
             grpc::Status (v1::HistoryService::Stub::*call)(
                 grpc::ClientContext*, const Request&,
                 v1::QueryHitsResponse*)) {
  auto format = FormatOf(flags);
  if (!format.ok()) return ReportError(format.status(), kExitUsage);
  Request request;
  auto id = IdentifierFlags(flags);
  if (!id.ok()) return ReportError(id.status(), kExitUsage);
  if (id->has_value()) {
    *request.mutable_identifier() = **id;
  } else if (identifier_required) {
    return ReportError(
        absl::InvalidArgumentError("--kind and --value are required"),
        kExitUsage);
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
  auto stub = v1::HistoryService::NewStub(*channel);
  v1::QueryHitsResponse response;
  auto context = NewContext(flags);
  grpc::Status s = ((*stub).*call)(context.get(), request, &response);
  if (!s.ok()) return ReportRpcError(s);
  PrintHits(response, *format);
  return kExitOk;
}

std::vector<FlagSpec> ListFlags() {
  return ClientFlags({
      {"kind", "", "identifier kind"},
      {"issuer", "", "identifier issuer"},
      {"value", "", "identifier value (any accepted form)"},
      {"from", "", "ISO 8601 date or time, inclusive"},
      {"to", "", "ISO 8601 date or time, exclusive"},
      {"page-size", "100", "hits per page (<= 1000)"},
      {"page-token", "", "continue from a previous page"},
  });
}

}  // namespace

Command HitsCommand() {
  return Command{"hits",
                 "hits [--kind=K --issuer=I --value=V] [--from=T] [--to=T]",
                 "search the screening history, newest first", ListFlags(),
                 [](const Flags& flags) {
                   return ListHits<v1::QueryHitsRequest>(
                       flags, false, &v1::HistoryService::Stub::QueryHits);
                 }};
}

Command PastCommand() {
  return Command{
      "past", "past --kind=K [--issuer=I] --value=V [--from=T] [--to=T]",
      "earlier transfers to a beneficiary, ALLOWed ones included", ListFlags(),
      [](const Flags& flags) {
        return ListHits<v1::FindPastTransfersRequest>(
            flags, true, &v1::HistoryService::Stub::FindPastTransfers);
      }};
}

}  // namespace fraudgate::cli
