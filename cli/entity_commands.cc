// `fraudgate entity` and `fraudgate delist`: one listed identifier.
#include <functional>
#include <iostream>

#include "absl/time/time.h"
#include "cli/client.h"
#include "cli/command.h"
#include "cli/csv_output.h"
#include "core/identifier.h"
#include "core/text.h"
#include "fraudgate/v1/fraudgate.grpc.pb.h"
#include "proto/proto_time.h"

namespace fraudgate::cli {
namespace {

std::vector<FlagSpec> IdentifierFlags(std::vector<FlagSpec> extra) {
  std::vector<FlagSpec> flags = {
      {"kind", "", "PHONE, BANK_ACCOUNT, EWALLET or CHAT_HANDLE"},
      {"issuer", "", "bank (BIN or name), e-wallet provider or chat platform"},
      {"value", "", "the account, phone, wallet id or handle"},
  };
  flags.insert(flags.end(), extra.begin(), extra.end());
  return ClientFlags("police", flags);
}

absl::StatusOr<v1::Identifier> IdentifierOf(const Flags& flags) {
  v1::IdentifierKind kind;
  if (!v1::IdentifierKind_Parse(core::AsciiUpper(flags.Get("kind")), &kind) ||
      kind == v1::IDENTIFIER_KIND_UNSPECIFIED) {
    return absl::InvalidArgumentError(
        "--kind: PHONE, BANK_ACCOUNT, EWALLET or CHAT_HANDLE is required");
  }
  v1::Identifier id;
  id.set_kind(kind);
  id.set_issuer(flags.Get("issuer"));
  id.set_value(flags.Get("value"));
  return id;
}

void PrintEntity(const v1::Entity& e, Format format) {
  if (format == Format::kJson) {
    std::cout << ToJson(e) << "\n";
    return;
  }
  const std::string id = IdentifierText(e.identifier());
  if (format == Format::kCsv) {
    PrintCsv(
        {"IDENTIFIER", "STATUS", "REPORTS", "FIRST_REPORTED_AT",
         "LAST_REPORTED_AT"},
        {{id, v1::EntityStatus_Name(e.status()),
          std::to_string(e.reports_size()), TimeText(e.first_reported_at()),
          TimeText(e.last_reported_at())}});
    return;
  }
  std::cout << "identifier  " << id << "\n"
            << "status      " << v1::EntityStatus_Name(e.status()) << "\n"
            << "first       " << TimeText(e.first_reported_at()) << "\n"
            << "last        " << TimeText(e.last_reported_at()) << "\n\n";
  std::vector<std::vector<std::string>> rows;
  for (const v1::ReportRef& r : e.reports()) {
    rows.push_back({r.agency(), r.report_id(), v1::Category_Name(r.category()),
                    v1::Confidence_Name(r.confidence()),
                    TimeText(r.reported_at())});
  }
  PrintTable({"AGENCY", "REPORT", "CATEGORY", "CONFIDENCE", "REPORTED_AT"},
             rows);
  if (e.linked_size() > 0) {
    std::cout << "\nlinked (named in the same reports):\n";
    for (const v1::Identifier& other : e.linked()) {
      std::cout << "  " << IdentifierText(other) << "\n";
    }
  }
  if (e.history_size() > 0) {
    std::cout << "\n";
    rows.clear();
    for (const v1::EntityEvent& ev : e.history()) {
      rows.push_back({TimeText(ev.at()), ev.action(), ev.actor(), ev.reason()});
    }
    PrintTable({"AT", "ACTION", "ACTOR", "REASON"}, rows);
  }
}

// Checks the flags, connects, and prints the entity `call` returns.
int RunEntityCall(const Flags& flags,
                  const std::function<grpc::Status(
                      v1::ReportService::Stub&, grpc::ClientContext*,
                      const v1::Identifier&, v1::Entity*)>& call) {
  auto format = FormatOf(flags);
  if (!format.ok()) return ReportError(format.status(), kExitUsage);
  auto id = IdentifierOf(flags);
  if (!id.ok()) return ReportError(id.status(), kExitUsage);
  auto channel = Connect(flags);
  if (!channel.ok()) return ReportError(channel.status(), kExitUsage);
  auto stub = v1::ReportService::NewStub(*channel);
  v1::Entity entity;
  auto context = NewContext(flags);
  grpc::Status s = call(*stub, context.get(), *id, &entity);
  if (!s.ok()) return ReportRpcError(s);
  PrintEntity(entity, *format);
  return kExitOk;
}

int RunEntity(const Flags& flags) {
  return RunEntityCall(
      flags, [](v1::ReportService::Stub& stub, grpc::ClientContext* context,
                const v1::Identifier& id, v1::Entity* entity) {
        v1::GetEntityRequest request;
        *request.mutable_identifier() = id;
        return stub.GetEntity(context, request, entity);
      });
}

int RunDelist(const Flags& flags) {
  return RunEntityCall(
      flags,
      [&flags](v1::ReportService::Stub& stub, grpc::ClientContext* context,
               const v1::Identifier& id, v1::Entity* entity) {
        v1::DelistEntityRequest request;
        *request.mutable_identifier() = id;
        request.set_reason(flags.Get("reason"));
        request.set_reference(flags.Get("reference"));
        return stub.DelistEntity(context, request, entity);
      });
}

}  // namespace

Command EntityCommand() {
  return Command{
      "entity", "entity --kind=K [--issuer=I] --value=V [flags]",
      "show a listed identifier: status, reports, linked identifiers, history",
      IdentifierFlags({}), RunEntity};
}

Command DelistCommand() {
  return Command{
      "delist",
      "delist --kind=K [--issuer=I] --value=V --reason=R --reference=DOC",
      "take an identifier off the list (police correction)",
      IdentifierFlags({{"reason", "", "why it is delisted (required)"},
                       {"reference", "", "police document number (required)"}}),
      RunDelist};
}

}  // namespace fraudgate::cli
