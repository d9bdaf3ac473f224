// Crash safety (DESIGN §8: zero acknowledged police writes lost across
// kill -9), against the real binary. One data dir; every cycle a client thread
// streams UploadReports calls (a few reports each) at a `fraudgate serve`
// child process, which is SIGKILLed after a random delay, mid-stream; the
// server is restarted on the same dir and the test checks:
//  (a) every acknowledged report (its call's Finish() returned OK) is stored:
//      each of its identifiers carries its (agency, report_id) ref;
//  (b) no report is half-stored: each report sent, acknowledged or not, has
//      its ref on all of the identifiers of an upload of it or on none;
//  (c) the list version never goes backwards across restarts (from the
//      "serving on ... list_version=N" line and from upload summaries);
//  and, stronger: the stored state (refs of every identifier read back and
//  the list version) is exactly the state after some prefix of the report
//  writes sent, at or after the last acknowledged one. The server commits in
//  stream order, so a crash may only cut the sequence of writes.
//  (d) Every few cycles and at the end the server is stopped with SIGTERM and
//      `fraudgate audit verify --data=DIR` must exit 0 with a line starting
//      "audit chain OK:"; then all identifiers ever sent are read back.
// The server stores the reports of a call in batches (group commit: one list
// version per batch), so the list version is only bounded: one bump per
// batch, each holding at least one changed report, none spanning calls. Some
// cycles upload calls of more than one batch and pause after the first, so
// that a kill can also store part of a call.
//
// FRAUDGATE_CRASH_CYCLES sets the number of kill cycles (default 30) and
// FRAUDGATE_CRASH_SEED the seed of the workload and of the kill delays (a
// random one is printed otherwise); FRAUDGATE_CRASH_VERBOSE=1 prints a line
// per cycle. The last line printed ("crash_test: cycles=...") is the summary
// tests/crash/run_long.sh reports. FRAUDGATE_BIN is the path of the binary
// under test; FRAUDGATE_CRASH_BIN overrides it (run_long.sh runs a copy, so
// that a rebuild during a long run does not swap the binary under it).
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/blocking_counter.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "fraudgate/v1/fraudgate.grpc.pb.h"
#include "fraudgate/v1/fraudgate.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "proto/proto_time.h"
#include "tests/testing/child_process.h"
#include "tests/testing/proto_printer.h"
#include "tests/testing/temp_dir.h"

namespace fraudgate {
namespace {

using testing::ServeProcess;

constexpr int kDefaultCycles = 30;
// Every this many cycles (at least) the server is stopped cleanly, the audit
// chain verified and every identifier read back.
constexpr int kMinCleanStopEvery = 10;
constexpr int kMinDelayMs = 5;
constexpr int kMaxDelayMs = 150;
// One cycle in kBulkEvery (at random) uploads calls of kMinBulk-kMaxBulk
// reports: more than the server stores in one batch (max_batch_reports, 256
// by default), so a kill can fall between two batches of one call.
// The client pauses after kMinBulk reports of a bulk call.
constexpr int kBulkEvery = 6;
constexpr size_t kMinBulk = 257;
constexpr size_t kMaxBulk = 320;
constexpr absl::Duration kBulkPause = absl::Milliseconds(30);
// Identifiers of untouched reports re-read after every kill.
constexpr int kSampledIdentifiers = 64;
// GetEntity calls in flight while reading back.
constexpr size_t kReadsInFlight = 32;
// Problems printed per failing cycle.
constexpr size_t kMaxProblemsShown = 25;

const char* const kAgencies[] = {"PA05 CA Kon Tum", "PC02 CA Ha Noi",
                                 "PA05 CA TP HCM"};
const v1::Category kCategories[] = {v1::EXTORTION_DEEPFAKE, v1::EXTORTION_OTHER,
                                    v1::IMPERSONATION, v1::INVESTMENT_SCAM};

std::string BinaryPath() {
  const char* env = std::getenv("FRAUDGATE_CRASH_BIN");
  return env != nullptr && *env != '\0' ? env : FRAUDGATE_BIN;
}

int CyclesFromEnv() {
  const char* env = std::getenv("FRAUDGATE_CRASH_CYCLES");
  int cycles = kDefaultCycles;
  if (env != nullptr && *env != '\0' &&
      (!absl::SimpleAtoi(env, &cycles) || cycles < 1)) {
    ADD_FAILURE() << "FRAUDGATE_CRASH_CYCLES=" << env
                  << " is not a positive number; using " << kDefaultCycles;
    cycles = kDefaultCycles;
  }
  return cycles;
}

uint64_t SeedFromEnv() {
  const char* env = std::getenv("FRAUDGATE_CRASH_SEED");
  uint64_t seed = 0;
  if (env != nullptr && *env != '\0') {
    if (absl::SimpleAtoi(env, &seed)) return seed;
    ADD_FAILURE() << "FRAUDGATE_CRASH_SEED=" << env << " is not a number";
  }
  return static_cast<uint64_t>(absl::ToUnixNanos(absl::Now())) ^
         (static_cast<uint64_t>(getpid()) << 32);
}

// Identifier number `n`, in canonical form (so distinct numbers are distinct
// identifiers), cycling through the kinds.
v1::Identifier IdentifierNumber(int n) {
  v1::Identifier id;
  switch (n % 4) {
    case 0:
      id.set_kind(v1::PHONE);
      id.set_value(absl::StrFormat("+8490%07d", n));
      break;
    case 1:
      id.set_kind(v1::BANK_ACCOUNT);
      id.set_issuer("970436");
      id.set_value(absl::StrFormat("88%08d", n));
      break;
    case 2:
      id.set_kind(v1::EWALLET);
      id.set_issuer("MOMO");
      id.set_value(absl::StrFormat("crash.w%d", n));
      break;
    default:
      id.set_kind(v1::CHAT_HANDLE);
      id.set_issuer("TELEGRAM");
      id.set_value(absl::StrFormat("crash_h%d", n));
      break;
  }
  return id;
}

// ---------------------------------------------------------------------------
// The workload: reports, and the writes (uploads of a report) sent.

// One upload of report number `report` naming identifier numbers `ids`.
struct Write {
  int report = 0;
  std::vector<int> ids;
};

// A report of the run. Its uploads name subsets of its identifiers; the store
// keeps their union.
struct ReportSpec {
  std::string agency;
  std::string report_id;
  v1::Category category = v1::CATEGORY_UNSPECIFIED;
  v1::Confidence confidence = v1::CONFIDENCE_UNSPECIFIED;
  std::vector<std::vector<int>> uploads;  // identifier sets sent, in order
  std::set<int> ever_sent;                // their union
};

class Workload {
 public:
  Workload(uint64_t seed, absl::Time reported_at)
      : rng_(seed),
        reported_at_(ToProtoTime(
            absl::FromUnixSeconds(absl::ToUnixSeconds(reported_at)))) {}

  // The writes of the next UploadReports call: 1-5 reports (a bulk call:
  // kMinBulk-kMaxBulk), mostly new ones (1-4 identifiers, now and then one
  // named by an earlier report too), some identical re-uploads of an earlier
  // upload, some extending an earlier report with new identifiers (up to 4
  // in all).
  std::vector<Write> NextCall(bool bulk) {
    std::vector<Write> writes;
    const int n =
        bulk ? Uniform(static_cast<int>(kMinBulk), kMaxBulk) : Uniform(1, 5);
    for (int i = 0; i < n; ++i) {
      const int dice = Uniform(0, 99);
      if (reports_.empty() || dice < 70) {
        writes.push_back(NewReport());
      } else if (dice < 85) {
        writes.push_back(ReUpload(Uniform(0, reports_.size() - 1)));
      } else {
        writes.push_back(Extend(Uniform(0, reports_.size() - 1)));
      }
    }
    return writes;
  }

  v1::Report ToProto(const Write& w) const {
    const ReportSpec& spec = reports_[w.report];
    v1::Report r;
    r.set_report_id(spec.report_id);
    r.set_agency(spec.agency);
    r.set_category(spec.category);
    r.set_confidence(spec.confidence);
    *r.mutable_reported_at() = reported_at_;
    r.set_victim_count(1 + w.report % 3);
    r.set_amount_lost(int64_t{5'000'000} * (1 + w.report % 7));
    r.set_note("crash_test");
    for (int id : w.ids) *r.add_identifiers() = identifiers_[id];
    return r;
  }

  const std::vector<ReportSpec>& reports() const { return reports_; }
  int identifier_count() const { return static_cast<int>(identifiers_.size()); }
  const v1::Identifier& identifier(int n) const { return identifiers_[n]; }

  std::string Describe(int id) const {
    const v1::Identifier& i = identifiers_[id];
    return absl::StrCat(v1::IdentifierKind_Name(i.kind()), ":", i.issuer(), ":",
                        i.value());
  }
  std::string DescribeReport(int report) const {
    return absl::StrCat("(", reports_[report].agency, ", ",
                        reports_[report].report_id, ")");
  }
  std::string DescribeIds(const std::set<int>& ids) const {
    std::vector<std::string> parts;
    for (int id : ids) parts.push_back(Describe(id));
    return absl::StrCat("{", absl::StrJoin(parts, ", "), "}");
  }

  // The report number of a stored ref; nullopt when the run never sent it.
  std::optional<int> FindReport(const std::string& agency,
                                const std::string& report_id) const {
    auto it = by_key_.find(absl::StrCat(agency, "\x1f", report_id));
    if (it == by_key_.end()) return std::nullopt;
    return it->second;
  }

 private:
  int Uniform(int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng_);
  }
  int Uniform(int lo, size_t hi) { return Uniform(lo, static_cast<int>(hi)); }

  int FreshIdentifier() {
    identifiers_.push_back(IdentifierNumber(identifier_count()));
    return identifier_count() - 1;
  }

  // A fresh identifier, or now and then one some report named already.
  int SomeIdentifier(const std::set<int>& taken) {
    if (!identifiers_.empty() && Uniform(0, 99) < 15) {
      const int id = Uniform(0, identifiers_.size() - 1);
      if (!taken.contains(id)) return id;
    }
    return FreshIdentifier();
  }

  Write Record(int report, std::vector<int> ids) {
    ReportSpec& spec = reports_[report];
    spec.uploads.push_back(ids);
    spec.ever_sent.insert(ids.begin(), ids.end());
    return Write{report, std::move(ids)};
  }

  Write NewReport() {
    const int number = static_cast<int>(reports_.size());
    ReportSpec spec;
    spec.agency = kAgencies[number % std::size(kAgencies)];
    // Unique across the whole run.
    spec.report_id = absl::StrFormat("CR-%06d", number);
    spec.category = kCategories[Uniform(0, std::size(kCategories) - 1)];
    spec.confidence = Uniform(0, 1) == 0 ? v1::CONFIRMED : v1::SUSPECTED;
    by_key_[absl::StrCat(spec.agency, "\x1f", spec.report_id)] = number;
    reports_.push_back(std::move(spec));
    std::set<int> ids;
    const int count = Uniform(1, 4);
    while (static_cast<int>(ids.size()) < count) {
      ids.insert(SomeIdentifier(ids));
    }
    return Record(number, std::vector<int>(ids.begin(), ids.end()));
  }

  // The same content as one of its earlier uploads.
  Write ReUpload(int report) {
    const ReportSpec& spec = reports_[report];
    return Record(report, spec.uploads[Uniform(0, spec.uploads.size() - 1)]);
  }

  // New identifiers for an earlier report, sent alone or with the old ones.
  Write Extend(int report) {
    const ReportSpec& spec = reports_[report];
    const int room = 4 - static_cast<int>(spec.ever_sent.size());
    if (room <= 0) return ReUpload(report);
    std::set<int> added;
    const int count = Uniform(1, room);
    std::set<int> taken = spec.ever_sent;
    while (static_cast<int>(added.size()) < count) {
      const int id = SomeIdentifier(taken);
      added.insert(id);
      taken.insert(id);
    }
    std::set<int> ids = added;
    if (Uniform(0, 1) == 0)
      ids.insert(spec.ever_sent.begin(), spec.ever_sent.end());
    return Record(report, std::vector<int>(ids.begin(), ids.end()));
  }

  std::mt19937_64 rng_;
  const google::protobuf::Timestamp reported_at_;
  std::vector<v1::Identifier> identifiers_;
  std::vector<ReportSpec> reports_;
  std::unordered_map<std::string, int> by_key_;
};

// ---------------------------------------------------------------------------
// The model: what the store holds after a sequence of committed writes.

struct Model {
  struct Effect {
    bool changed = false;       // a mutation was committed
    int identifiers_added = 0;  // identifiers that were not listed before
  };

  // ApplyReport: the stored report is the union of its uploads; an upload
  // adding no identifier leaves it unchanged (no write, no new version).
  Effect Apply(const Write& w) {
    if (static_cast<int>(stored.size()) <= w.report) {
      stored.resize(w.report + 1);
    }
    Effect effect;
    for (int id : w.ids) {
      if (!stored[w.report].insert(id).second) continue;
      effect.changed = true;
      std::set<int>& on = refs[id];
      if (on.empty()) ++effect.identifiers_added;
      on.insert(w.report);
    }
    if (effect.changed) ++reports_stored;
    return effect;
  }

  const std::set<int>& RefsOf(int id) const {
    static const std::set<int>* const kNone = new std::set<int>();
    auto it = refs.find(id);
    return it == refs.end() ? *kNone : it->second;
  }
  const std::set<int>& StoredOf(int report) const {
    static const std::set<int>* const kNone = new std::set<int>();
    return report < static_cast<int>(stored.size()) ? stored[report] : *kNone;
  }

  std::vector<std::set<int>> stored;  // report number -> identifiers
  std::map<int, std::set<int>> refs;  // identifier -> report numbers
  // Uploads that changed a report: one audit record each.
  uint64_t reports_stored = 0;
  // The list version, as last read from the server. The store bumps it once
  // per committed batch, and batches the reports of one call (group commit),
  // so the model only bounds it: each commit holds >= 1 changed report and
  // never spans calls.
  uint64_t version = 0;
};

// ---------------------------------------------------------------------------
// One cycle's uploads, by the client thread.

struct Call {
  size_t begin = 0;  // its writes in CycleLog::writes
  size_t end = 0;
  bool before_kill = false;  // started before the kill
  bool ok = false;           // Finish() returned OK: acknowledged
  v1::UploadSummary summary;
};

struct CycleLog {
  std::vector<Write> writes;  // every write attempted, in order
  std::vector<Call> calls;
  std::vector<std::string> errors;  // failures before the kill, bad summaries

  // Writes [0, acknowledged()) were acknowledged (calls are sequential).
  size_t acknowledged() const {
    size_t end = 0;
    for (const Call& c : calls) {
      if (c.ok) end = c.end;
    }
    return end;
  }
};

// Uploads calls from `workload` until one fails (the server was killed).
// `live` is the model with every write applied; it gives the summary an
// acknowledged call must return: the counts exactly, and a list version
// above the previous one by 1 to the number of reports changed (unchanged
// when none was).
void UploadUntilKilled(v1::ReportService::Stub& stub, Workload& workload,
                       bool bulk, Model& live, CycleLog& log,
                       const std::atomic<bool>& killed) {
  while (true) {
    const uint64_t before = live.version;
    const std::vector<Write> writes = workload.NextCall(bulk);
    Call call;
    call.begin = log.writes.size();
    call.before_kill = !killed.load();
    int changed = 0, added = 0;
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(10));
    auto writer = stub.UploadReports(&context, &call.summary);
    for (const Write& w : writes) {
      log.writes.push_back(w);
      const Model::Effect effect = live.Apply(w);
      changed += effect.changed ? 1 : 0;
      added += effect.identifiers_added;
      if (!writer->Write(workload.ToProto(w))) break;
      if (bulk && log.writes.size() - call.begin == kMinBulk) {
        // A slow uploader: the first batch is stored, the call goes on.
        absl::SleepFor(kBulkPause);
      }
    }
    writer->WritesDone();
    const grpc::Status status = writer->Finish();
    call.end = log.writes.size();
    call.ok = status.ok();
    log.calls.push_back(call);
    if (!status.ok()) {
      if (!killed.load()) {
        log.errors.push_back(absl::StrCat(
            "UploadReports failed before the kill: ", status.error_code(), " ",
            status.error_message()));
      }
      return;
    }
    const v1::UploadSummary& s = call.summary;
    const int sent = static_cast<int>(call.end - call.begin);
    const bool version_ok =
        changed == 0
            ? s.list_version() == before
            : s.list_version() > before && s.list_version() <= before + changed;
    if (s.rejected_size() != 0 || s.reports_accepted() != changed ||
        s.reports_unchanged() != sent - changed ||
        s.identifiers_added() != added || !version_ok) {
      log.errors.push_back(absl::StrCat(
          "acknowledged upload of writes [", call.begin, ", ", call.end,
          ") returned ", s.ShortDebugString(), "; want reports_accepted ",
          changed, " reports_unchanged ", sent - changed, " identifiers_added ",
          added, " list_version in ", before, changed == 0 ? "" : "+1", "..",
          before, "+", changed));
    }
    live.version = std::max(live.version, s.list_version());
  }
}

// ---------------------------------------------------------------------------
// The test.

struct Stats {
  int cycles = 0;
  int kills = 0;
  int acknowledged_uploads = 0;
  int acknowledged_reports = 0;
  int writes_sent = 0;
  int killed_mid_call = 0;        // kills while a call was in flight
  int unacknowledged_stored = 0;  // writes stored whose call never returned
  int lost = 0;                   // reports missing an acknowledged ref
  int half_stored = 0;            // reports stored on part of an upload
  int clean_stops = 0;
  int bulk_cycles = 0;  // cycles of calls over one batch
  int split_calls = 0;  // kills that stored part of a call's changes
  uint64_t list_version = 0;
  std::string audit = "not run";
};

class CrashTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (server_ != nullptr && server_->Alive()) {
      const int code = StopServer();
      EXPECT_EQ(code, 0) << "serve did not stop cleanly:\n" << server_->Log();
    }
    const absl::Duration elapsed = absl::Now() - started_;
    std::cout
        << absl::StrFormat(
               "crash_test: cycles=%d kills=%d acknowledged_uploads=%d "
               "acknowledged_reports=%d writes_sent=%d "
               "killed_mid_call=%d unacknowledged_stored=%d lost=%d "
               "half_stored=%d list_version=%d clean_stops=%d bulk_cycles=%d "
               "split_calls=%d "
               "audit_verify=%s seed=%d elapsed=%.1fs read_back=%.1fs",
               stats_.cycles, stats_.kills, stats_.acknowledged_uploads,
               stats_.acknowledged_reports, stats_.writes_sent,
               stats_.killed_mid_call, stats_.unacknowledged_stored,
               stats_.lost, stats_.half_stored, stats_.list_version,
               stats_.clean_stops, stats_.bulk_cycles, stats_.split_calls,
               stats_.audit, seed_, absl::ToDoubleSeconds(elapsed),
               absl::ToDoubleSeconds(read_back_time_))
        << std::endl;
  }

  void StartServer() {
    auto server = ServeProcess::Start(bin_, data_, log_);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    auto channel = grpc::CreateChannel(server_->address(),
                                       grpc::InsecureChannelCredentials());
    stub_ = v1::ReportService::NewStub(channel);
  }

  // SIGTERM. The client channel is closed first: the server's shutdown waits
  // its whole grace period (5 s) while an idle client connection is open.
  int StopServer() {
    stub_.reset();
    return server_->Stop();
  }

  // Reads back `ids`: identifier -> report numbers of the refs it carries
  // (none when NOT_FOUND). Refs the run never sent are `problems`.
  absl::StatusOr<std::map<int, std::set<int>>> ReadBack(
      const std::set<int>& ids, std::vector<std::string>& problems) {
    const absl::Time start = absl::Now();
    const std::vector<int> order(ids.begin(), ids.end());
    std::map<int, std::set<int>> out;
    for (size_t from = 0; from < order.size(); from += kReadsInFlight) {
      const size_t n = std::min(kReadsInFlight, order.size() - from);
      std::vector<std::unique_ptr<grpc::ClientContext>> contexts(n);
      std::vector<v1::GetEntityRequest> requests(n);
      std::vector<v1::Entity> entities(n);
      std::vector<grpc::Status> statuses(n);
      absl::BlockingCounter done(static_cast<int>(n));
      for (size_t i = 0; i < n; ++i) {
        contexts[i] = std::make_unique<grpc::ClientContext>();
        contexts[i]->set_deadline(std::chrono::system_clock::now() +
                                  std::chrono::seconds(10));
        *requests[i].mutable_identifier() =
            workload_->identifier(order[from + i]);
        stub_->async()->GetEntity(contexts[i].get(), &requests[i], &entities[i],
                                  [&, i](grpc::Status s) {
                                    statuses[i] = std::move(s);
                                    done.DecrementCount();
                                  });
      }
      done.Wait();
      for (size_t i = 0; i < n; ++i) {
        const int id = order[from + i];
        const grpc::Status& s = statuses[i];
        std::set<int>& refs = out[id];
        if (s.error_code() == grpc::StatusCode::NOT_FOUND) continue;
        if (!s.ok()) {
          return absl::UnavailableError(
              absl::StrCat("GetEntity ", workload_->Describe(id), ": ",
                           s.error_code(), " ", s.error_message()));
        }
        if (entities[i].status() != v1::ACTIVE) {
          problems.push_back(
              absl::StrCat(workload_->Describe(id), " is ",
                           v1::EntityStatus_Name(entities[i].status()),
                           ", nothing delists it"));
        }
        for (const v1::ReportRef& ref : entities[i].reports()) {
          auto report = workload_->FindReport(ref.agency(), ref.report_id());
          if (!report.has_value()) {
            problems.push_back(absl::StrCat(
                workload_->Describe(id),
                " carries a report never sent: ", ref.ShortDebugString()));
          } else if (!refs.insert(*report).second) {
            problems.push_back(
                absl::StrCat(workload_->Describe(id), " carries report ",
                             workload_->DescribeReport(*report), " twice"));
          }
        }
      }
    }
    read_back_time_ += absl::Now() - start;
    return out;
  }

  // After the restart following a kill: checks (a), (b), (c) and the prefix
  // property against what was sent during the cycle, and moves `model_` to
  // the state found. Returns false (after failing the test) on any problem.
  bool VerifyAfterKill(const Model& base, const CycleLog& log, int cycle,
                       std::mt19937_64& rng) {
    std::vector<std::string> problems = log.errors;
    const uint64_t version = server_->list_version_at_start();
    const size_t acked = log.acknowledged();

    // (c) The list version never goes backwards.
    uint64_t max_acked_version = 0;
    for (const Call& c : log.calls) {
      if (c.ok) {
        max_acked_version =
            std::max(max_acked_version, c.summary.list_version());
      }
    }
    if (version < stats_.list_version) {
      problems.push_back(
          absl::StrCat("list_version went backwards: ", stats_.list_version,
                       " before the kill, ", version, " after the restart"));
    }
    if (version < max_acked_version) {
      problems.push_back(absl::StrCat(
          "list_version ", version, " after the restart is below ",
          max_acked_version, " acknowledged in an upload summary"));
    }

    // Read back every identifier of every report written, and a sample of
    // the others.
    std::set<int> touched;
    for (const Write& w : log.writes) touched.insert(w.report);
    std::set<int> ids;
    for (int r : touched) {
      const std::set<int>& sent = workload_->reports()[r].ever_sent;
      ids.insert(sent.begin(), sent.end());
    }
    const int universe = workload_->identifier_count();
    for (int i = 0; i < kSampledIdentifiers && universe > 0; ++i) {
      ids.insert(std::uniform_int_distribution<int>(0, universe - 1)(rng));
    }
    auto observed = ReadBack(ids, problems);
    if (!observed.ok()) {
      ADD_FAILURE() << "cycle " << cycle << ": " << observed.status() << "\n"
                    << server_->Log();
      return false;
    }
    auto refs_of = [&](int id) -> const std::set<int>& {
      return observed->at(id);
    };

    // (a) Acknowledged writes, and whatever was stored before this cycle,
    // are all there.
    std::set<int> lost;
    for (size_t i = 0; i < acked; ++i) {
      const Write& w = log.writes[i];
      for (int id : w.ids) {
        if (!refs_of(id).contains(w.report)) {
          lost.insert(w.report);
          problems.push_back(absl::StrCat(
              "LOST acknowledged report ", workload_->DescribeReport(w.report),
              " (write ", i, "): ", workload_->Describe(id),
              " does not carry it"));
        }
      }
    }
    for (int id : ids) {
      for (int r : base.RefsOf(id)) {
        if (!refs_of(id).contains(r)) {
          lost.insert(r);
          problems.push_back(absl::StrCat(
              "LOST report ", workload_->DescribeReport(r),
              " stored before this cycle: ", workload_->Describe(id),
              " no longer carries it"));
        }
      }
    }

    // (b) Each report touched is stored with the identifiers of a prefix of
    // its uploads this cycle (all of an upload or none of it).
    std::set<int> half;
    for (int r : touched) {
      std::set<int> stored;
      for (int id : workload_->reports()[r].ever_sent) {
        if (refs_of(id).contains(r)) stored.insert(id);
      }
      std::set<int> state = base.StoredOf(r);
      std::vector<std::set<int>> allowed = {state};
      for (const Write& w : log.writes) {
        if (w.report != r) continue;
        state.insert(w.ids.begin(), w.ids.end());
        allowed.push_back(state);
      }
      if (std::find(allowed.begin(), allowed.end(), stored) == allowed.end()) {
        half.insert(r);
        std::vector<std::string> options;
        for (const auto& a : allowed)
          options.push_back(workload_->DescribeIds(a));
        problems.push_back(
            absl::StrCat("HALF-STORED report ", workload_->DescribeReport(r),
                         ": on ", workload_->DescribeIds(stored),
                         ", want one of ", absl::StrJoin(options, " or ")));
      }
    }

    // The whole state is that after writes [0, P), acked <= P <= sent. Past
    // the acknowledged writes, every call with a changed report in the prefix
    // committed at least once, and every commit holds a changed report.
    uint64_t acked_version = base.version;
    std::vector<size_t> call_of(log.writes.size());
    for (size_t c = 0; c < log.calls.size(); ++c) {
      const Call& call = log.calls[c];
      for (size_t i = call.begin; i < call.end; ++i) call_of[i] = c;
      if (call.ok) acked_version = call.summary.list_version();
    }
    Model m = base;
    for (size_t i = 0; i < acked; ++i) m.Apply(log.writes[i]);
    std::optional<size_t> prefix;
    uint64_t min_version = acked_version, max_version = acked_version;
    std::optional<size_t> last_changed_call;
    std::vector<bool> changed_at;  // of writes [acked, P)
    for (size_t p = acked;; ++p) {
      bool same = min_version <= version && version <= max_version;
      for (auto it = ids.begin(); same && it != ids.end(); ++it) {
        same = m.RefsOf(*it) == refs_of(*it);
      }
      if (same) {
        prefix = p;
        break;
      }
      if (p == log.writes.size()) break;
      changed_at.push_back(m.Apply(log.writes[p]).changed);
      if (changed_at.back()) {
        ++max_version;
        if (last_changed_call != call_of[p]) ++min_version;
        last_changed_call = call_of[p];
      }
    }
    if (!prefix.has_value()) {
      problems.push_back(absl::StrCat(
          "the state after the restart (list_version ", version,
          ") is not the state after any prefix of the ", log.writes.size(),
          " writes sent this cycle that includes the ", acked,
          " acknowledged ones (list_version ", base.version,
          " before the cycle, ", acked_version, " acknowledged)"));
    }

    stats_.lost += static_cast<int>(lost.size());
    stats_.half_stored += static_cast<int>(half.size());
    if (!problems.empty()) {
      std::string shown;
      for (size_t i = 0; i < problems.size() && i < kMaxProblemsShown; ++i) {
        absl::StrAppend(&shown, "  ", problems[i], "\n");
      }
      ADD_FAILURE() << "cycle " << cycle << " (seed " << seed_
                    << "; FRAUDGATE_CRASH_SEED=" << seed_
                    << " FRAUDGATE_CRASH_CYCLES=" << cycle
                    << " repeats the workload and delays, not the timing): "
                    << problems.size() << " problem(s):\n"
                    << shown << "writes sent " << log.writes.size()
                    << ", acknowledged " << acked << ", list_version "
                    << version << "\nserver log:\n"
                    << server_->Log();
      return false;
    }
    stats_.unacknowledged_stored += static_cast<int>(*prefix - acked);
    // Did the kill split the last call: part of its changes stored, part
    // not (a kill between two of its batches)?
    if (!log.calls.empty() && !log.calls.back().ok) {
      const Call& last = log.calls.back();
      bool stored_some = false, lost_some = false;
      Model rest = m;
      for (size_t i = std::max(last.begin, acked); i < last.end; ++i) {
        if (i < *prefix) {
          stored_some = stored_some || changed_at[i - acked];
        } else {
          lost_some = rest.Apply(log.writes[i]).changed || lost_some;
        }
      }
      stats_.split_calls += stored_some && lost_some ? 1 : 0;
    }
    if (verbose_) {
      std::cout << "cycle " << cycle << ": writes sent " << log.writes.size()
                << ", acknowledged " << acked << ", stored " << *prefix
                << ", list_version " << version << ", read back " << ids.size()
                << std::endl;
    }
    stats_.list_version = version;
    m.version = version;
    model_ = std::move(m);
    return true;
  }

  // Stops the server with SIGTERM, verifies the audit chain offline, starts
  // it again and reads back every identifier ever sent.
  void CleanStopAndFullCheck() {
    const int code = StopServer();
    ASSERT_EQ(code, 0) << "serve did not stop cleanly:\n" << server_->Log();
    ++stats_.clean_stops;

    // (d) `fraudgate audit verify --data=DIR`: exit 0 and a line starting
    // "audit chain OK:". When it goes on "N records, list_version V", N is
    // one record per report change committed and V the list version.
    const testing::ProcessResult audit =
        testing::RunProcess(bin_, {"audit", "verify", "--data=" + data_});
    std::optional<std::string> ok_line;
    for (absl::string_view line : absl::StrSplit(audit.out, '\n')) {
      if (absl::StartsWith(line, "audit chain OK:"))
        ok_line = std::string(line);
    }
    EXPECT_EQ(audit.exit_code, 0) << audit.Describe();
    EXPECT_TRUE(ok_line.has_value()) << audit.Describe();
    stats_.audit = audit.exit_code == 0 && ok_line ? "OK" : "FAILED";
    uint64_t records = 0, version = 0;
    std::vector<std::string> words = absl::StrSplit(ok_line.value_or(""), ' ');
    if (words.size() == 7 && words[4] == "records," &&
        words[5] == "list_version" && absl::SimpleAtoi(words[3], &records) &&
        absl::SimpleAtoi(words[6], &version)) {
      EXPECT_EQ(records, model_.reports_stored) << *ok_line;
      EXPECT_EQ(version, model_.version) << *ok_line;
    }

    ASSERT_NO_FATAL_FAILURE(StartServer());
    EXPECT_EQ(server_->list_version_at_start(), model_.version)
        << "clean restart: " << server_->first_line();
    std::set<int> all;
    for (int i = 0; i < workload_->identifier_count(); ++i) all.insert(i);
    std::vector<std::string> problems;
    auto observed = ReadBack(all, problems);
    ASSERT_TRUE(observed.ok()) << observed.status();
    int lost = 0;
    for (int id : all) {
      const std::set<int>& got = observed->at(id);
      const std::set<int>& want = model_.RefsOf(id);
      if (got == want) continue;
      for (int r : want) lost += got.contains(r) ? 0 : 1;
      std::vector<std::string> g, w;
      for (int r : got) g.push_back(workload_->DescribeReport(r));
      for (int r : want) w.push_back(workload_->DescribeReport(r));
      problems.push_back(absl::StrCat(workload_->Describe(id), " carries ",
                                      absl::StrJoin(g, " "), "; want ",
                                      absl::StrJoin(w, " ")));
    }
    stats_.lost += lost;
    EXPECT_TRUE(problems.empty())
        << "after a clean restart (seed " << seed_ << "), " << problems.size()
        << " identifier(s) differ, e.g.:\n"
        << absl::StrJoin(
               problems.begin(),
               problems.begin() + std::min(problems.size(), kMaxProblemsShown),
               "\n");
  }

  const absl::Time started_ = absl::Now();
  const std::string bin_ = BinaryPath();
  testing::TempDir dir_;
  const std::string data_ = dir_.File("data");
  const std::string log_ = dir_.File("server.log");
  uint64_t seed_ = 0;
  // FRAUDGATE_CRASH_VERBOSE=1: a line per cycle.
  const bool verbose_ = std::getenv("FRAUDGATE_CRASH_VERBOSE") != nullptr;
  absl::Duration read_back_time_;
  std::unique_ptr<Workload> workload_;
  Model model_;
  Stats stats_;
  std::unique_ptr<ServeProcess> server_;
  std::unique_ptr<v1::ReportService::Stub> stub_;
};

TEST_F(CrashTest, AcknowledgedReportsSurviveKill9) {
  const int cycles = CyclesFromEnv();
  seed_ = SeedFromEnv();
  std::cout << "crash_test: seed " << seed_ << ", " << cycles
            << " kill cycles (FRAUDGATE_CRASH_SEED, FRAUDGATE_CRASH_CYCLES)"
            << std::endl;
  std::mt19937_64 rng(seed_);
  workload_ = std::make_unique<Workload>(seed_ ^ 0x5354'CA7'0000ULL,
                                         absl::Now() - absl::Hours(72));
  const int clean_every = std::max(kMinCleanStopEvery, cycles / 10);

  ASSERT_NO_FATAL_FAILURE(StartServer());
  ASSERT_EQ(server_->list_version_at_start(), 0u) << server_->first_line();

  for (int cycle = 1; cycle <= cycles; ++cycle) {
    const Model base = model_;
    CycleLog log;
    std::atomic<bool> killed{false};
    const bool bulk =
        std::uniform_int_distribution<int>(1, kBulkEvery)(rng) == 1;
    stats_.bulk_cycles += bulk ? 1 : 0;
    std::thread client([&] {
      UploadUntilKilled(*stub_, *workload_, bulk, model_, log, killed);
    });
    absl::SleepFor(absl::Milliseconds(
        std::uniform_int_distribution<int>(kMinDelayMs, kMaxDelayMs)(rng)));
    killed.store(true);
    const pid_t pid = server_->pid();
    const int code = server_->Kill();
    client.join();
    ++stats_.kills;
    stats_.cycles = cycle;
    EXPECT_EQ(code, 128 + SIGKILL)
        << "serve " << pid << " exited by itself before the kill:\n"
        << server_->Log();
    stats_.writes_sent += static_cast<int>(log.writes.size());
    for (const Call& c : log.calls) {
      if (!c.ok) continue;
      ++stats_.acknowledged_uploads;
      stats_.acknowledged_reports += static_cast<int>(c.end - c.begin);
    }
    if (!log.calls.empty() && !log.calls.back().ok &&
        log.calls.back().before_kill) {
      ++stats_.killed_mid_call;
    }

    ASSERT_NO_FATAL_FAILURE(StartServer());
    if (!VerifyAfterKill(base, log, cycle, rng)) return;

    if (cycle % clean_every == 0 || cycle == cycles) {
      ASSERT_NO_FATAL_FAILURE(CleanStopAndFullCheck());
      if (HasFailure()) return;
    }
  }
  const int code = StopServer();
  EXPECT_EQ(code, 0) << "serve did not stop cleanly:\n" << server_->Log();
  EXPECT_GT(stats_.acknowledged_uploads, 0);
}

}  // namespace
}  // namespace fraudgate
