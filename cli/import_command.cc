// `fraudgate import FILE.csv`: streams a police CSV to UploadReports.
#include <fstream>
#include <iostream>
#include <optional>
#include <vector>

#include "cli/client.h"
#include "cli/command.h"
#include "cli/police_csv.h"
#include "cli/progress.h"
#include "core/text.h"
#include "fraudgate/v1/fraudgate.grpc.pb.h"

namespace fraudgate::cli {
namespace {

struct Totals {
  int64_t accepted = 0, unchanged = 0, added = 0, rejected = 0, bad_rows = 0;
  // The list version after the last upload; unknown when nothing was sent.
  std::optional<uint64_t> list_version;
};

// Sends one chunk of reports as one UploadReports stream, so the client keeps
// only a chunk's line numbers in memory however big the file is.
grpc::Status SendChunk(v1::ReportService::Stub* stub, const Flags& flags,
                       const std::vector<CsvReport>& chunk, Totals* totals) {
  auto context = NewContext(flags);
  v1::UploadSummary summary;
  auto writer = stub->UploadReports(context.get(), &summary);
  for (const CsvReport& r : chunk) {
    if (!writer->Write(r.report)) break;
  }
  writer->WritesDone();
  grpc::Status status = writer->Finish();
  if (!status.ok()) return status;
  totals->accepted += summary.reports_accepted();
  totals->unchanged += summary.reports_unchanged();
  totals->added += summary.identifiers_added();
  totals->rejected += summary.rejected_size();
  totals->list_version = summary.list_version();
  for (const v1::Rejection& rej : summary.rejected()) {
    const CsvReport& r = chunk.at(rej.index());
    std::cerr << "line " << r.first_line << ": report " << rej.report_id()
              << " rejected: " << rej.field() << ": " << rej.message() << "\n";
  }
  return status;
}

int Run(const Flags& flags) {
  if (flags.positional().size() != 1) {
    std::cerr << "usage: fraudgate import [flags] FILE.csv\n";
    return kExitUsage;
  }
  auto format = FormatOf(flags);
  if (!format.ok()) return ReportError(format.status(), kExitUsage);
  auto chunk_size = flags.GetInt("chunk");
  if (!chunk_size.ok() || *chunk_size < 1) {
    return ReportError(absl::InvalidArgumentError("--chunk: must be >= 1"),
                       kExitUsage);
  }
  const std::string& path = flags.positional()[0];
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return ReportError(absl::NotFoundError(core::StrCat("cannot read ", path)),
                       kExitFailure);
  }
  auto channel = Connect(flags);
  if (!channel.ok()) return ReportError(channel.status(), kExitUsage);
  auto stub = v1::ReportService::NewStub(*channel);

  PoliceCsvReader reader(&in);
  Progress progress;
  Totals totals;
  std::vector<CsvReport> chunk;
  std::vector<CsvLineError> errors;
  int64_t reports = 0;
  while (true) {
    CsvReport report;
    auto got = reader.Next(&report, &errors);
    if (!got.ok()) return ReportError(got.status(), kExitFailure);
    for (const CsvLineError& e : errors) {
      std::cerr << "line " << e.line << ": " << e.message << "\n";
      ++totals.bad_rows;
    }
    errors.clear();
    if (*got) {
      chunk.push_back(std::move(report));
      ++reports;
    }
    if (!chunk.empty() &&
        (!*got || static_cast<int64_t>(chunk.size()) == *chunk_size)) {
      grpc::Status s = SendChunk(stub.get(), flags, chunk, &totals);
      if (!s.ok()) {
        progress.Done();
        std::cerr
            << "fraudgate: upload stopped at line " << chunk.front().first_line
            << "; reports before it are stored, and re-running the import "
               "is safe\n";
        return ReportRpcError(s);
      }
      chunk.clear();
    }
    progress.Update(core::StrCat("import: ", reader.rows_read(), " rows, ",
                                 reports, " reports sent"));
    if (!*got) break;
  }
  progress.Done();

  if (*format == Format::kJson) {
    std::cout << "{\"rows\":" << reader.rows_read()
              << ",\"reports_accepted\":" << totals.accepted
              << ",\"reports_unchanged\":" << totals.unchanged
              << ",\"identifiers_added\":" << totals.added
              << ",\"reports_rejected\":" << totals.rejected
              << ",\"rows_with_errors\":" << totals.bad_rows;
    if (totals.list_version) {
      std::cout << ",\"list_version\":" << *totals.list_version;
    }
    std::cout << "}\n";
  } else {
    std::cout << "rows " << reader.rows_read() << ", reports accepted "
              << totals.accepted << ", unchanged " << totals.unchanged
              << ", rejected " << totals.rejected << ", rows with errors "
              << totals.bad_rows << ", identifiers added " << totals.added;
    if (totals.list_version) {
      std::cout << ", list_version " << *totals.list_version;
    }
    std::cout << "\n";
  }
  return totals.rejected > 0 || totals.bad_rows > 0 ? kExitFailure : kExitOk;
}

}  // namespace

Command ImportCommand() {
  return Command{
      "import", "import [flags] FILE.csv",
      "upload a police CSV "
      "(report_id,agency,reported_at,category,confidence,kind,issuer,value,"
      "victim_count,amount_lost,note); errors name the line",
      ClientFlags({{"chunk", "5000", "reports per upload stream"}}), Run,
      /*takes_arguments=*/true};
}

}  // namespace fraudgate::cli
