// `fraudgate outcome`: an analyst records the verdict on a hit.
#include <iostream>

#include "cli/client.h"
#include "cli/command.h"
#include "cli/csv_output.h"
#include "core/text.h"
#include "fraudgate/v1/fraudgate.grpc.pb.h"
#include "service/convert.h"

namespace fraudgate::cli {
namespace {

void PrintHit(const v1::Hit& h, Format format) {
  if (format == Format::kJson) {
    std::cout << ToJson(h) << "\n";
    return;
  }
  std::vector<std::vector<std::string>> rows;
  for (const v1::OutcomeEvent& e : h.outcome_history()) {
    rows.push_back(
        {TimeText(e.at()), v1::Outcome_Name(e.outcome()), e.by(), e.note()});
  }
  const std::vector<std::string> header = {"AT", "OUTCOME", "BY", "NOTE"};
  if (format == Format::kCsv) {
    PrintCsv(header, rows);
    return;
  }
  std::cout << "hit_id       " << h.hit_id() << "\n"
            << "transfer_id  " << h.transfer_id() << "\n"
            << "screened_at  " << TimeText(h.screened_at()) << "\n"
            << "decision     " << service::DecisionText(h.decision())
            << " (score " << h.score() << ")\n"
            << "beneficiary  " << IdentifierText(h.beneficiary()) << "\n"
            << "outcome      " << v1::Outcome_Name(h.outcome()) << "\n\n";
  PrintTable(header, rows);
}

int Run(const Flags& flags) {
  auto format = FormatOf(flags);
  if (!format.ok()) return ReportError(format.status(), kExitUsage);
  v1::Outcome outcome;
  if (!v1::Outcome_Parse(core::AsciiUpper(flags.Get("outcome")), &outcome) ||
      outcome == v1::OUTCOME_UNSPECIFIED) {
    return ReportError(
        absl::InvalidArgumentError(
            "--outcome: CONFIRMED_FRAUD, FALSE_POSITIVE, CUSTOMER_ABORTED or "
            "CUSTOMER_PROCEEDED is required"),
        kExitUsage);
  }
  auto channel = Connect(flags);
  if (!channel.ok()) return ReportError(channel.status(), kExitUsage);
  v1::RecordOutcomeRequest request;
  request.set_hit_id(flags.Get("hit-id"));
  request.set_outcome(outcome);
  request.set_note(flags.Get("note"));
  v1::Hit hit;
  auto context = NewContext(flags);
  grpc::Status s = v1::HistoryService::NewStub(*channel)->RecordOutcome(
      context.get(), request, &hit);
  if (!s.ok()) return ReportRpcError(s);
  PrintHit(hit, *format);
  return kExitOk;
}

}  // namespace

Command OutcomeCommand() {
  return Command{
      "outcome", "outcome --hit-id=H --outcome=O [--note=TEXT]",
      "record an analyst's verdict on a hit (earlier verdicts are kept)",
      ClientFlags("analyst",
                  {{"hit-id", "", "the hit (from screen or hits)"},
                   {"outcome", "",
                    "CONFIRMED_FRAUD, FALSE_POSITIVE, CUSTOMER_ABORTED or "
                    "CUSTOMER_PROCEEDED"},
                   {"note", "", "what the analyst found"}}),
      Run};
}

}  // namespace fraudgate::cli
