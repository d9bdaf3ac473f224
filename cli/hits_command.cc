// `fraudgate hits` (the screening history) and `fraudgate past` (earlier
// transfers to one beneficiary): lists of hits, newest first.
#include <iostream>
#include <optional>
#include <string>
#include <type_traits>

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "cli/client.h"
#include "cli/command.h"
#include "cli/csv_output.h"
#include "cli/progress.h"
#include "core/identifier.h"
#include "core/status_macros.h"
#include "core/text.h"
#include "fraudgate/v1/fraudgate.grpc.pb.h"
#include "service/convert.h"

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

const std::vector<std::string>& HitHeader() {
  static const auto* header = new std::vector<std::string>{
      "SCREENED_AT", "DECISION",    "SCORE",  "AMOUNT",
      "TRANSFER",    "BENEFICIARY", "CALLER", "HIT_ID"};
  return *header;
}

std::vector<std::vector<std::string>> HitRows(
    const v1::QueryHitsResponse& response, Format format) {
  std::vector<std::vector<std::string>> rows;
  for (const v1::Hit& h : response.hits()) {
    rows.push_back(
        {TimeText(h.screened_at()), service::DecisionText(h.decision()),
         std::to_string(h.score()), std::to_string(h.amount()), h.transfer_id(),
         // Machines get an empty field, people a dash.
         h.has_beneficiary()      ? IdentifierText(h.beneficiary())
         : format == Format::kCsv ? ""
                                  : "-",
         h.caller(), h.hit_id()});
  }
  return rows;
}

// Sets the decision and score filters of QueryHits from the flags.
absl::Status FilterFlags(const Flags& flags, v1::QueryHitsRequest* request) {
  const std::vector<std::string> names =
      absl::StrSplit(absl::StripAsciiWhitespace(flags.Get("decision")),
                     absl::ByAnyChar(", "), absl::SkipEmpty());
  for (const std::string& name : names) {
    v1::Decision decision;
    if (!v1::Decision_Parse(core::StrCat("DECISION_", core::AsciiUpper(name)),
                            &decision)) {
      return absl::InvalidArgumentError(
          core::StrCat("--decision: ", name,
                       " is not ALLOW, WARN, HOLD or "
                       "BLOCK"));
    }
    request->add_decisions(decision);
  }
  ASSIGN_OR_RETURN(int64_t min_score, flags.GetInt("min-score"));
  request->set_min_score(static_cast<int32_t>(min_score));
  return absl::OkStatus();
}

// Runs `call` with a request whose identifier, time range, filters and paging
// come from the flags, and prints the hits: one page as a table or JSON, or
// every page as CSV, streamed a page at a time so memory stays constant
// however many rows there are.
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
  if constexpr (std::is_same_v<Request, v1::QueryHitsRequest>) {
    if (auto s = FilterFlags(flags, &request); !s.ok()) {
      return ReportError(s, kExitUsage);
    }
  }
  auto range = TimeRangeOf(flags);
  if (!range.ok()) return ReportError(range.status(), kExitUsage);
  if (range->from) *request.mutable_from() = *range->from;
  if (range->to) *request.mutable_to() = *range->to;
  auto page_size = flags.GetInt("page-size");
  if (!page_size.ok()) return ReportError(page_size.status(), kExitUsage);
  const bool all_pages = *format == Format::kCsv;
  // A CSV export takes the largest pages unless told otherwise.
  request.set_page_size(all_pages && !flags.Has("page-size")
                            ? 1000
                            : static_cast<int32_t>(*page_size));
  request.set_page_token(flags.Get("page-token"));

  auto channel = Connect(flags);
  if (!channel.ok()) return ReportError(channel.status(), kExitUsage);
  auto stub = v1::HistoryService::NewStub(*channel);
  Progress progress;
  int64_t rows = 0;
  for (bool first = true;; first = false) {
    v1::QueryHitsResponse response;
    auto context = NewContext(flags);
    grpc::Status s = ((*stub).*call)(context.get(), request, &response);
    if (!s.ok()) {
      progress.Done();
      return ReportRpcError(s);
    }
    if (*format == Format::kJson) {
      std::cout << ToJson(response) << "\n";
    } else if (*format == Format::kCsv) {
      PrintCsv(first ? HitHeader() : std::vector<std::string>(),
               HitRows(response, *format));
    } else {
      PrintTable(HitHeader(), HitRows(response, *format));
      if (!response.next_page_token().empty()) {
        std::cout << "\nmore: --page-token=" << response.next_page_token()
                  << "\n";
      }
    }
    rows += response.hits_size();
    if (!all_pages || response.next_page_token().empty()) break;
    request.set_page_token(response.next_page_token());
    progress.Update(core::StrCat("export: ", rows, " hits"));
  }
  progress.Done();
  return kExitOk;
}

std::vector<FlagSpec> ListFlags(std::vector<FlagSpec> filters = {}) {
  filters.insert(filters.end(),
                 {
                     {"kind", "", "identifier kind"},
                     {"issuer", "", "identifier issuer"},
                     {"value", "", "identifier value (any accepted form)"},
                     {"from", "", "ISO 8601 date or time, inclusive"},
                     {"to", "", "ISO 8601 date or time, exclusive"},
                     {"page-size", "100", "hits per page (<= 1000; csv: 1000)"},
                     {"page-token", "", "continue from a previous page"},
                 });
  return ClientFlags("analyst", std::move(filters));
}

}  // namespace

Command HitsCommand() {
  return Command{"hits",
                 "hits [--kind=K --issuer=I --value=V] [--from=T] [--to=T]",
                 "search the screening history, newest first",
                 ListFlags({
                     {"decision", "",
                      "only these decisions, e.g. BLOCK,HOLD (default: any)"},
                     {"min-score", "0", "only hits scoring at least this"},
                 }),
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
