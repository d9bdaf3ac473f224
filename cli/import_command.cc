// `fraudgate import FILE.csv`: streams a police CSV to UploadReports, or with
// --offline bulk-loads it into the data dir of a stopped server.
#include <fstream>
#include <functional>
#include <iostream>
#include <optional>
#include <vector>

#include "cli/client.h"
#include "cli/command.h"
#include "cli/csv_chunks.h"
#include "cli/police_csv.h"
#include "cli/progress.h"
#include "core/status_macros.h"
#include "core/text.h"
#include "fraudgate/v1/fraudgate.grpc.pb.h"
#include "service/config.h"
#include "service/convert.h"
#include "service/report_service.h"
#include "store/bulk_load.h"
#include "store/store.h"

namespace fraudgate::cli {
namespace {

struct Totals {
  int64_t accepted = 0, unchanged = 0, added = 0, rejected = 0, bad_rows = 0;
  // On a cluster's stream, not yet applied by the node that answered.
  int64_t pending = 0;
  // The list version after the last upload; unknown when nothing was sent.
  std::optional<uint64_t> list_version;
  // Earlier screenings paid to the added identifiers, and the identifiers
  // with the most of them (at most service::kMaxPastTransferIdentifiers).
  int64_t past_transfers = 0;
  std::vector<v1::PastTransferCount> past_by_identifier;
  // Not OK when the reports were stored but their past transfers could not
  // be counted (the offline import counts them after its commit).
  absl::Status past_error;

  // `counts`: a container of v1::PastTransferCount.
  template <typename Counts>
  void AddPast(const Counts& counts) {
    past_by_identifier.insert(past_by_identifier.end(), counts.begin(),
                              counts.end());
    service::KeepMostPaid(&past_by_identifier);
  }
};

void PrintRejection(int line, const v1::Rejection& rej) {
  std::cerr << "line " << line << ": report " << rej.report_id()
            << " rejected: " << rej.field() << ": " << rej.message() << "\n";
}

// How one kind of import stores the CSV's chunks of reports, adding to the
// totals. Chunks keep memory bounded by a few chunks' reports (the one
// stored, the one read, two read ahead), however big the file is. `prepare`
// (may be empty) runs on the reading thread, a chunk ahead of `store`.
struct ChunkSink {
  CsvChunkReader::Prepare prepare;
  std::function<absl::Status(CsvChunk&, Totals*)> store;  // may move from it
};

// Online: one chunk is one UploadReports stream.
ChunkSink UploadSink(v1::ReportService::Stub* stub, const Flags& flags) {
  ChunkSink sink;
  sink.store = [stub, &flags](CsvChunk& chunk, Totals* totals) -> absl::Status {
    auto context = NewContext(flags);
    v1::UploadSummary summary;
    auto writer = stub->UploadReports(context.get(), &summary);
    for (const CsvReport& r : chunk.reports) {
      if (!writer->Write(r.report)) break;
    }
    writer->WritesDone();
    grpc::Status status = writer->Finish();
    if (!status.ok()) {
      ReportRpcError(status);
      return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                          status.error_message());
    }
    totals->accepted += summary.reports_accepted();
    totals->pending += summary.reports_pending();
    totals->unchanged += summary.reports_unchanged();
    totals->added += summary.identifiers_added();
    totals->rejected += summary.rejected_size();
    totals->list_version = summary.list_version();
    totals->past_transfers += summary.past_transfers();
    totals->AddPast(summary.past_transfers_by_identifier());
    for (const v1::Rejection& rej : summary.rejected()) {
      PrintRejection(chunk.reports.at(rej.index()).first_line, rej);
    }
    return absl::OkStatus();
  };
  return sink;
}

// Offline: reports are checked like the server checks them (on the reading
// thread) and staged in a bulk load, committed after the last chunk; which
// identifiers the load listed is known then (CountPast).
ChunkSink BulkLoadSink(store::BulkLoad* load,
                       const service::ReportOptions* options, absl::Time now) {
  ChunkSink sink;
  sink.prepare = [options, now](CsvChunk* chunk) {
    for (CsvReport& r : chunk->reports) {
      auto normalized = service::NormalizeReport(r.report, now, *options);
      chunk->prepared.push_back(normalized.status());
      if (normalized.ok()) r.report = *std::move(normalized);
    }
  };
  sink.store = [load](CsvChunk& chunk, Totals* totals) -> absl::Status {
    std::vector<v1::Report> reports;
    std::vector<int> lines;  // of reports[i]
    for (size_t i = 0; i < chunk.reports.size(); ++i) {
      CsvReport& r = chunk.reports[i];
      if (!chunk.prepared[i].ok()) {
        PrintRejection(r.first_line,
                       service::RejectionOf(0, r.report, chunk.prepared[i]));
        ++totals->rejected;
        continue;
      }
      reports.push_back(std::move(r.report));
      lines.push_back(r.first_line);
    }
    auto results = load->Add(reports);
    if (!results.ok()) return results.status();
    for (size_t i = 0; i < results->size(); ++i) {
      const store::ApplyReportResult& result = (*results)[i];
      if (!result.status.ok()) {
        PrintRejection(lines[i],
                       service::RejectionOf(0, reports[i], result.status));
        ++totals->rejected;
      } else if (result.unchanged) {
        ++totals->unchanged;
      } else {
        ++totals->accepted;
      }
    }
    return absl::OkStatus();
  };
  return sink;
}

// Reads the CSV, reports bad rows, and hands reports to `sink` in chunks.
absl::Status ReadAll(PoliceCsvReader& reader, int64_t chunk_size,
                     const ChunkSink& sink, Totals* totals) {
  Progress progress;
  CsvChunkReader chunks(&reader, chunk_size, sink.prepare);
  int64_t reports = 0;
  while (true) {
    auto chunk = chunks.Next();
    if (!chunk.ok()) {
      progress.Done();
      return chunk.status();
    }
    if (!chunk->has_value()) break;
    for (const CsvLineError& e : (*chunk)->errors) {
      std::cerr << "line " << e.line << ": " << e.message << "\n";
      ++totals->bad_rows;
    }
    if (!(*chunk)->reports.empty()) {
      if (auto s = sink.store(**chunk, totals); !s.ok()) {
        progress.Done();
        return absl::Status(
            s.code(), core::StrCat("import stopped at line ",
                                   (*chunk)->reports.front().first_line, ": ",
                                   s.message()));
      }
      reports += (*chunk)->reports.size();
    }
    progress.Update(core::StrCat("import: ", (*chunk)->rows_read, " rows, ",
                                 reports, " reports"));
  }
  progress.Done();
  return absl::OkStatus();
}

void PrintTotals(const Totals& totals, int64_t rows, Format format) {
  if (format == Format::kJson) {
    std::cout << "{\"rows\":" << rows
              << ",\"reports_accepted\":" << totals.accepted
              << ",\"reports_unchanged\":" << totals.unchanged
              << ",\"reports_pending\":" << totals.pending
              << ",\"identifiers_added\":" << totals.added
              << ",\"reports_rejected\":" << totals.rejected
              << ",\"rows_with_errors\":" << totals.bad_rows
              << ",\"past_transfers\":" << totals.past_transfers;
    if (totals.list_version) {
      std::cout << ",\"list_version\":" << *totals.list_version;
    }
    std::cout << "}\n";
    return;
  }
  std::cout << "rows " << rows << ", reports accepted " << totals.accepted
            << ", unchanged " << totals.unchanged << ", rejected "
            << totals.rejected << ", rows with errors " << totals.bad_rows
            << ", identifiers added " << totals.added;
  if (totals.list_version) {
    std::cout << ", list_version " << *totals.list_version;
  }
  std::cout << "\n";
  if (totals.pending != 0) {
    std::cout << "reports pending " << totals.pending
              << ": stored on the cluster, applied as the nodes apply them "
                 "(--wait-applied waits, and counts them above)\n";
  }
  if (totals.past_transfers == 0) return;
  // The customers who may already have paid: analysts follow these up.
  std::cout << "past transfers to the added identifiers: "
            << totals.past_transfers
            << " (list them with: fraudgate past --kind=K --issuer=I "
               "--value=V)\n";
  constexpr size_t kShown = 10;
  for (size_t i = 0; i < totals.past_by_identifier.size() && i < kShown; ++i) {
    const v1::PastTransferCount& c = totals.past_by_identifier[i];
    std::cout << "  " << c.transfers() << "  " << IdentifierText(c.identifier())
              << "\n";
  }
  if (totals.past_by_identifier.size() > kShown) {
    std::cout << "  ... and " << totals.past_by_identifier.size() - kShown
              << " more identifiers\n";
  }
}

// Identifiers whose past transfers are counted at a time after a bulk load.
constexpr size_t kPastBatch = 10'000;

// The past transfers to what a committed `load` listed, counted as
// UploadReports counts them per batch.
absl::Status CountPast(const store::BulkLoad& load, const store::HitStore& hits,
                       Totals* totals) {
  ASSIGN_OR_RETURN(bool any_paid, hits.HasBeneficiaries());
  if (!any_paid) return absl::OkStatus();
  return load.ForEachAdded(
      kPastBatch, [&](absl::Span<const v1::Identifier* const> added) {
        ASSIGN_OR_RETURN(std::vector<v1::PastTransferCount> past,
                         service::CountPastTransfers(hits, added));
        for (const v1::PastTransferCount& entry : past) {
          totals->past_transfers += entry.transfers();
        }
        totals->AddPast(past);
        return absl::OkStatus();
      });
}

// The offline import: a bulk load into a stopped server's data dir. Once the
// load is committed it returns OK; failing to count the past transfers then
// is noted in totals->past_error.
absl::Status ImportOffline(const Flags& flags, PoliceCsvReader& reader,
                           int64_t chunk_size, Totals* totals) {
  service::ReportOptions options;
  if (!flags.Get("config").empty()) {
    ASSIGN_OR_RETURN(v1::Config config,
                     service::LoadConfigFile(flags.Get("config")));
    options.default_lifetime =
        service::ReportLifetimesFromConfig(config.reports());
  }
  store::StoreOptions store_options;
  store_options.path = flags.Get("data");
  store_options.create_if_missing = true;
  auto store = store::Store::Open(store_options);
  if (!store.ok()) {
    return absl::Status(
        store.status().code(),
        core::StrCat("cannot open ", store_options.path,
                     " (is a server running on it? --offline needs it "
                     "stopped): ",
                     store.status().message()));
  }
  const absl::Time now = absl::Now();
  ASSIGN_OR_RETURN(auto load, store::BulkLoad::Start(
                                  &(*store)->blocklist(), flags.Get("actor"),
                                  now, store_options.path + "/bulk-load"));
  RETURN_IF_ERROR(ReadAll(reader, chunk_size,
                          BulkLoadSink(load.get(), &options, now), totals));
  Progress progress;
  progress.Update("import: writing and ingesting the SST files");
  auto committed = load->Commit();
  progress.Done();
  if (!committed.ok()) return committed.status();
  totals->list_version = committed->list_version;
  totals->added = committed->identifiers_added;
  totals->past_error = CountPast(*load, (*store)->hits(), totals);
  return absl::OkStatus();
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
  PoliceCsvReader reader(&in);
  Totals totals;
  if (flags.GetBool("offline")) {
    if (auto s = ImportOffline(flags, reader, *chunk_size, &totals); !s.ok()) {
      return ReportError(s, kExitFailure);
    }
  } else {
    auto channel = Connect(flags);
    if (!channel.ok()) return ReportError(channel.status(), kExitUsage);
    auto stub = v1::ReportService::NewStub(*channel);
    if (auto s = ReadAll(reader, *chunk_size, UploadSink(stub.get(), flags),
                         &totals);
        !s.ok()) {
      std::cerr << "fraudgate: " << s.message()
                << "; reports before it are stored, and re-running the "
                   "import is safe\n";
      return kExitFailure;
    }
  }
  PrintTotals(totals, reader.rows_read(), *format);
  if (!totals.past_error.ok()) {
    std::cerr << "fraudgate: the reports are stored, but their past transfers "
                 "could not be counted (list them with: fraudgate past "
                 "--kind=K --issuer=I --value=V): "
              << totals.past_error.message() << "\n";
    return kExitFailure;
  }
  return totals.rejected > 0 || totals.bad_rows > 0 ? kExitFailure : kExitOk;
}

}  // namespace

Command ImportCommand() {
  return Command{
      "import",
      "import [flags] FILE.csv",
      "upload a police CSV "
      "(report_id,agency,reported_at,category,confidence,kind,issuer,value,"
      "victim_count,amount_lost,note); errors name the line",
      ClientFlags(
          "police",
          {
              {"chunk", "5000", "reports per upload stream (or staging step)"},
              {"wait-applied", "false",
               "on a cluster node: answer once that node applied each upload, "
               "with what it added (default: once the cluster stored it)",
               true},
              {"offline", "false",
               "load into the data dir of a stopped server (SST ingestion)",
               true},
              {"data", "./var/data", "--offline: the data directory"},
              {"actor", "admin/offline-import",
               "--offline: who is recorded as the uploader"},
              {"config", "",
               "--offline: server config file (report lifetimes)"},
          }),
      Run,
      /*takes_arguments=*/true};
}

}  // namespace fraudgate::cli
