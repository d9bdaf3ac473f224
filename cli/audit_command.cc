// `fraudgate audit verify|log --data=DIR`: the tamper-evident audit chain,
// read offline from a data dir (read-only: it may run beside a server).
#include <iostream>

#include "absl/strings/escaping.h"
#include "cli/client.h"
#include "cli/command.h"
#include "cli/csv_output.h"
#include "core/text.h"
#include "store/store.h"

namespace fraudgate::cli {
namespace {

absl::StatusOr<std::unique_ptr<store::Store>> OpenReadOnly(const Flags& flags) {
  store::StoreOptions options;
  options.path = flags.Get("data");
  options.read_only = true;
  return store::Store::Open(options);
}

int Verify(store::Store& store) {
  auto check = store.blocklist().VerifyAudit();
  if (!check.ok()) return ReportError(check.status(), kExitFailure);
  if (!check->ok) {
    std::cout << "audit chain BROKEN at record " << check->broken_at << ": "
              << check->problem << "\n";
    return kExitFailure;
  }
  std::cout << "audit chain OK: " << check->records << " records, list_version "
            << check->list_version << "\n";
  return kExitOk;
}

std::string IdentifiersText(const v1::AuditRecord& r) {
  std::string out;
  for (const v1::Identifier& id : r.identifiers()) {
    if (!out.empty()) out += " ";
    out += IdentifierText(id);
  }
  return out;
}

int Log(store::Store& store, const Flags& flags, Format format) {
  auto from = flags.GetInt("from");
  auto limit = flags.GetInt("limit");
  if (!from.ok()) return ReportError(from.status(), kExitUsage);
  if (!limit.ok()) return ReportError(limit.status(), kExitUsage);
  if (*from < 1 || *limit < 1) {
    return ReportError(
        absl::InvalidArgumentError("--from and --limit must be at least 1"),
        kExitUsage);
  }
  auto records = store.blocklist().ReadAudit(static_cast<uint64_t>(*from),
                                             static_cast<size_t>(*limit));
  if (!records.ok()) return ReportError(records.status(), kExitFailure);
  if (format == Format::kJson) {
    for (const v1::AuditRecord& r : *records) std::cout << ToJson(r) << "\n";
    return kExitOk;
  }
  const std::vector<std::string> header = {
      "SEQ",    "AT",        "ACTION",       "ACTOR",       "AGENCY",
      "REPORT", "REFERENCE", "LIST_VERSION", "IDENTIFIERS", "PREV_SHA256"};
  std::vector<std::vector<std::string>> rows;
  for (const v1::AuditRecord& r : *records) {
    rows.push_back({std::to_string(r.sequence()), TimeText(r.at()), r.action(),
                    r.actor(), r.agency(), r.report_id(), r.reference(),
                    std::to_string(r.list_version()), IdentifiersText(r),
                    absl::BytesToHexString(r.prev_sha256()).substr(0, 16)});
  }
  if (format == Format::kCsv) {
    PrintCsv(header, rows);
  } else {
    PrintTable(header, rows);
  }
  return kExitOk;
}

int Run(const Flags& flags) {
  if (flags.positional().size() != 1 ||
      (flags.positional()[0] != "verify" && flags.positional()[0] != "log")) {
    std::cerr << "usage: fraudgate audit verify|log --data=DIR\n";
    return kExitUsage;
  }
  auto format = FormatOf(flags);
  if (!format.ok()) return ReportError(format.status(), kExitUsage);
  auto store = OpenReadOnly(flags);
  if (!store.ok()) {
    std::cerr << "fraudgate audit: cannot open " << flags.Get("data") << ": "
              << store.status().message() << "\n";
    return kExitFailure;
  }
  if (flags.positional()[0] == "verify") return Verify(**store);
  return Log(**store, flags, *format);
}

}  // namespace

Command AuditCommand() {
  return Command{
      "audit",
      "audit verify|log --data=DIR [--from=SEQ] [--limit=N] [--format=F]",
      "check the tamper-evident audit chain offline, or list its records",
      {
          {"data", "./var/data", "data directory"},
          {"from", "1", "log: first sequence number"},
          {"limit", "1000", "log: most records"},
          {"format", "table",
           core::StrCat("log: table, json or csv (", kCsvFormatHelp, ")")},
      },
      Run,
      /*takes_arguments=*/true};
}

}  // namespace fraudgate::cli
