// `fraudgate screen`: screens one transfer and prints the decision.
#include <iostream>

#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "cli/client.h"
#include "cli/command.h"
#include "cli/csv_output.h"
#include "core/identifier.h"
#include "core/scoring.h"
#include "core/text.h"
#include "fraudgate/v1/fraudgate.grpc.pb.h"
#include "service/convert.h"

namespace fraudgate::cli {
namespace {

// "KIND:ISSUER:VALUE" (issuer may be empty: "PHONE::0912345678"); the value
// may itself contain ':' (URLs).
absl::StatusOr<v1::Identifier> ParseContact(const std::string& text) {
  const size_t first = text.find(':');
  const size_t second = first == std::string::npos ? std::string::npos
                                                   : text.find(':', first + 1);
  if (second == std::string::npos) {
    return absl::InvalidArgumentError(
        core::StrCat("--contact: expected KIND:ISSUER:VALUE, e.g. "
                     "CHAT_HANDLE:TELEGRAM:@name "
                     "(got \"",
                     text, "\")"));
  }
  v1::Identifier id;
  v1::IdentifierKind kind;
  if (!v1::IdentifierKind_Parse(core::AsciiUpper(text.substr(0, first)),
                                &kind)) {
    return absl::InvalidArgumentError(
        core::StrCat("--contact: unknown kind \"", text.substr(0, first),
                     "\" (PHONE, BANK_ACCOUNT, EWALLET or CHAT_HANDLE)"));
  }
  id.set_kind(kind);
  id.set_issuer(text.substr(first + 1, second - first - 1));
  id.set_value(text.substr(second + 1));
  return id;
}

std::string CategoriesText(const v1::Reason& r) {
  std::string out;
  for (int c : r.categories()) {
    if (!out.empty()) out += " ";
    out += v1::Category_Name(static_cast<v1::Category>(c));
  }
  return out;
}

void PrintResponse(const v1::ScreenTransferResponse& r, Format format) {
  if (format == Format::kJson) {
    std::cout << ToJson(r) << "\n";
    return;
  }
  const std::string decision = service::DecisionText(r.decision());
  if (format == Format::kCsv) {
    std::string reasons;
    for (const v1::Reason& reason : r.reasons()) {
      if (!reasons.empty()) reasons += ";";
      reasons +=
          core::StrCat(reason.code(), "=", IdentifierText(reason.identifier()));
    }
    PrintCsv({"TRANSFER_ID", "DECISION", "SCORE", "LIST_VERSION", "HIT_ID",
              "REASONS"},
             {{r.transfer_id(), decision, std::to_string(r.score()),
               std::to_string(r.list_version()), r.hit_id(), reasons}});
    return;
  }
  std::cout << "decision      " << decision << "\n"
            << "score         " << r.score() << "\n"
            << "transfer_id   " << r.transfer_id() << "\n"
            << "list_version  " << r.list_version() << "\n"
            << "hit_id        " << r.hit_id() << "\n";
  if (r.reasons_size() > 0) {
    std::cout << "\n";
    std::vector<std::vector<std::string>> rows;
    for (const v1::Reason& reason : r.reasons()) {
      rows.push_back({std::to_string(reason.points()), reason.code(),
                      IdentifierText(reason.identifier()),
                      std::to_string(reason.report_count()),
                      CategoriesText(reason)});
    }
    PrintTable({"POINTS", "REASON", "IDENTIFIER", "REPORTS", "CATEGORIES"},
               rows);
  }
  if (!r.customer_message().empty()) {
    std::cout << "\ncustomer_message:\n  " << r.customer_message() << "\n";
  }
}

int Run(const Flags& flags) {
  auto format = FormatOf(flags);
  if (!format.ok()) return ReportError(format.status(), kExitUsage);
  v1::ScreenTransferRequest request;
  request.set_transfer_id(
      flags.Has("transfer-id")
          ? flags.Get("transfer-id")
          : core::StrCat("cli-", absl::ToUnixMicros(absl::Now())));
  auto amount = flags.GetInt("amount");
  if (!amount.ok()) return ReportError(amount.status(), kExitUsage);
  request.set_amount(*amount);
  request.set_currency(flags.Get("currency"));
  v1::Channel channel;
  if (!v1::Channel_Parse(core::AsciiUpper(flags.Get("channel")), &channel)) {
    return ReportError(absl::InvalidArgumentError(
                           "--channel: MOBILE, INTERNET, COUNTER, ATM or API"),
                       kExitUsage);
  }
  request.set_channel(channel);
  v1::Party* beneficiary = request.mutable_beneficiary();
  beneficiary->set_bank(flags.Get("bank"));
  beneficiary->set_account(flags.Get("account"));
  beneficiary->set_phone(flags.Get("phone"));
  beneficiary->set_name(flags.Get("name"));
  request.set_memo(flags.Get("memo"));
  for (const std::string& text : flags.GetAll("contact")) {
    auto id = ParseContact(text);
    if (!id.ok()) return ReportError(id.status(), kExitUsage);
    *request.add_contacts() = *id;
  }

  auto channel_or = Connect(flags);
  if (!channel_or.ok()) return ReportError(channel_or.status(), kExitUsage);
  auto stub = v1::ScreeningService::NewStub(*channel_or);
  v1::ScreenTransferResponse response;
  auto context = NewContext(flags);
  grpc::Status status = stub->ScreenTransfer(context.get(), request, &response);
  if (!status.ok()) return ReportRpcError(status);
  PrintResponse(response, *format);
  return kExitOk;
}

}  // namespace

Command ScreenCommand() {
  return Command{
      "screen", "screen [flags]",
      "screen one transfer and print the decision, score and reasons",
      ClientFlags(
          "bank",
          {
              {"transfer-id", "", "idempotency key (default: cli-<time>)"},
              {"amount", "0", "amount in dong"},
              {"currency", "VND", "ISO 4217 currency"},
              {"channel", "MOBILE", "MOBILE, INTERNET, COUNTER, ATM or API"},
              {"bank", "", "beneficiary bank: BIN, short name, or e-wallet"},
              {"account", "", "beneficiary account number"},
              {"phone", "", "beneficiary phone"},
              {"name", "", "beneficiary name"},
              {"memo", "", "transfer memo"},
              {"contact", "", "KIND:ISSUER:VALUE of a contact", false, true},
          }),
      Run};
}

}  // namespace fraudgate::cli
