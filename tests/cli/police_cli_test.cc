// The police-side CLI end to end, with the real binary as child processes:
// `withdraw`, `audit verify|log`, and `import --offline` against the online
// import of the same file (deploy/demo/blocklist.csv).
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "fraudgate/v1/fraudgate.pb.h"
#include "fraudgate/v1/storage.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "tests/testing/child_process.h"
#include "tests/testing/proto_printer.h"
#include "tests/testing/temp_dir.h"

namespace fraudgate {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::ProcessResult;
using testing::ServeProcess;

ProcessResult Fraudgate(const std::vector<std::string>& args) {
  return testing::RunProcess(FRAUDGATE_BIN, args, absl::Seconds(60));
}

template <typename Message>
Message FromJson(const std::string& json) {
  Message m;
  auto status = google::protobuf::util::JsonStringToMessage(json, &m);
  EXPECT_TRUE(status.ok()) << status.ToString() << ": " << json;
  return m;
}

// Every audit record of a stopped server's data dir, via `audit log`.
std::vector<v1::AuditRecord> AuditLog(const std::string& data) {
  ProcessResult r = Fraudgate(
      {"audit", "log", "--data=" + data, "--format=json", "--limit=100000"});
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  std::vector<v1::AuditRecord> records;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    records.push_back(FromJson<v1::AuditRecord>(line));
  }
  return records;
}

// An entity with the fields that name who uploaded when cleared: what must
// be equal however the same file was loaded.
v1::Entity WithoutUploadTimesAndActors(v1::Entity e) {
  for (auto& r : *e.mutable_reports()) {
    r.clear_uploaded_at();
    r.clear_uploaded_by();
  }
  for (auto& h : *e.mutable_history()) {
    h.clear_at();
    h.clear_actor();
  }
  return e;
}

class PoliceCliTest : public ::testing::Test {
 protected:
  std::unique_ptr<ServeProcess> Serve(const std::string& data) {
    auto server = ServeProcess::Start(FRAUDGATE_BIN, data, dir_.File("log"));
    EXPECT_TRUE(server.ok()) << server.status();
    return server.ok() ? *std::move(server) : nullptr;
  }

  ProcessResult Client(const ServeProcess& server,
                       std::vector<std::string> args) {
    args.insert(args.begin() + 1, {server.server_flag(), "--insecure"});
    return Fraudgate(args);
  }

  // Every identifier the audit log names, entity as served by `server`.
  std::map<std::string, v1::Entity> Entities(
      const ServeProcess& server, const std::vector<v1::AuditRecord>& log) {
    std::map<std::string, v1::Entity> entities;
    for (const auto& record : log) {
      for (const auto& id : record.identifiers()) {
        ProcessResult r = Client(
            server, {"entity", "--format=json",
                     "--kind=" + v1::IdentifierKind_Name(id.kind()),
                     "--issuer=" + id.issuer(), "--value=" + id.value()});
        EXPECT_EQ(r.exit_code, 0) << r.Describe();
        entities[id.ShortDebugString()] =
            WithoutUploadTimesAndActors(FromJson<v1::Entity>(r.out));
      }
    }
    return entities;
  }

  testing::TempDir dir_;
};

TEST_F(PoliceCliTest, OfflineImportMatchesOnlineImport) {
  const std::string online = dir_.File("online");
  const std::string offline = dir_.File("offline");
  // Online: the demo file (12 reports) is one upload stream, one batch.
  std::map<std::string, v1::Entity> online_entities;
  std::vector<v1::AuditRecord> online_log;
  {
    auto server = Serve(online);
    ASSERT_NE(server, nullptr);
    ProcessResult r = Client(*server, {"import", FRAUDGATE_DEMO_CSV});
    ASSERT_EQ(r.exit_code, 0) << r.Describe();
    ASSERT_EQ(server->Stop(), 0);
    online_log = AuditLog(online);
    auto again = Serve(online);
    ASSERT_NE(again, nullptr);
    online_entities = Entities(*again, online_log);
    ASSERT_EQ(again->Stop(), 0);
  }
  ProcessResult r = Fraudgate(
      {"import", "--offline", "--data=" + offline, FRAUDGATE_DEMO_CSV});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_THAT(r.out, HasSubstr("reports accepted 12"));
  EXPECT_THAT(r.out, HasSubstr("list_version 1"));
  const std::vector<v1::AuditRecord> offline_log = AuditLog(offline);

  ASSERT_EQ(online_log.size(), 12u);
  ASSERT_EQ(offline_log.size(), online_log.size());
  for (size_t i = 0; i < online_log.size(); ++i) {
    v1::AuditRecord a = online_log[i], b = offline_log[i];
    for (v1::AuditRecord* x : {&a, &b}) {
      x->clear_at();
      x->clear_actor();
      x->clear_prev_sha256();  // covers `at` and `actor`
    }
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(a, b))
        << "record " << i + 1 << "\n"
        << a.ShortDebugString() << "\n"
        << b.ShortDebugString();
  }
  auto server = Serve(offline);
  ASSERT_NE(server, nullptr);
  const auto offline_entities = Entities(*server, offline_log);
  ASSERT_EQ(offline_entities.size(), online_entities.size());
  ASSERT_GT(online_entities.size(), 20u);
  for (const auto& [key, entity] : online_entities) {
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
        entity, offline_entities.at(key)))
        << key;
  }
  // While a server has the data dir, an offline import is refused...
  ProcessResult refused = Fraudgate(
      {"import", "--offline", "--data=" + offline, FRAUDGATE_DEMO_CSV});
  EXPECT_EQ(refused.exit_code, 1) << refused.Describe();
  EXPECT_THAT(refused.err, HasSubstr("stopped"));
  ASSERT_EQ(server->Stop(), 0);
  // ...and once it is stopped, loading the same file again changes nothing.
  ProcessResult again = Fraudgate(
      {"import", "--offline", "--data=" + offline, FRAUDGATE_DEMO_CSV});
  ASSERT_EQ(again.exit_code, 0) << again.Describe();
  EXPECT_THAT(again.out, HasSubstr("unchanged 12"));
  EXPECT_THAT(again.out, HasSubstr("list_version 1"));
  ProcessResult verify = Fraudgate({"audit", "verify", "--data=" + offline});
  EXPECT_EQ(verify.exit_code, 0) << verify.Describe();
  EXPECT_THAT(verify.out, HasSubstr("audit chain OK: 12 records"));
}

// The offline import reads the CSV on a thread of its own, a chunk ahead of
// staging; whatever the chunk size, every bad row and rejected report is
// named by its line, in file order, and only the good reports are stored.
TEST_F(PoliceCliTest, OfflineImportNamesBadLinesInOrderWhateverTheChunkSize) {
  const std::string csv = dir_.File("mixed.csv");
  {
    std::ofstream out(csv, std::ios::binary);
    out << "report_id,agency,reported_at,category,confidence,kind,issuer,"
           "value,victim_count,amount_lost,note\n"                      // 1
        << "R1,A,2026-01-05,OTHER,CONFIRMED,PHONE,,0911000001,1,2,x\n"  // 2
        << "R2,A,2026-13-05,OTHER,CONFIRMED,PHONE,,0911000002,1,2,x\n"  // 3
        << "R3,A,2026-01-05,OTHER,CONFIRMED,PHONE,,12345,1,2,x\n"       // 4
        << "R4,A,2026-01-05,OTHER,CONFIRMED,PHONE,,0911000004,1,2,x\n"  // 5
        << "R4,A,2026-01-05,OTHER,CONFIRMED,PHONE,,0911000005,1,2,x\n"  // 6
        << "R5,A,2026-01-05,OTHER,CONFIRMED,BANK_ACCOUNT,NOPEBANK,1234,1,2,"
           "x\n"                                                         // 7
        << "R6,A,2026-01-05,OTHER,CONFIRMED,PHONE,,0911000006,1,2,x\n";  // 8
    ASSERT_TRUE(out.good());
  }
  for (const char* chunk : {"1", "2", "5000"}) {
    SCOPED_TRACE(chunk);
    const std::string data = dir_.File(std::string("data-") + chunk);
    ProcessResult r =
        Fraudgate({"import", "--offline", "--data=" + data,
                   std::string("--chunk=") + chunk, "--format=json", csv});
    EXPECT_EQ(r.exit_code, 1) << r.Describe();
    const size_t line3 = r.err.find("line 3: reported_at");
    const size_t line4 = r.err.find("line 4: report R3 rejected: ");
    const size_t line7 = r.err.find("line 7: report R5 rejected: ");
    ASSERT_NE(line3, std::string::npos) << r.Describe();
    ASSERT_NE(line4, std::string::npos) << r.Describe();
    ASSERT_NE(line7, std::string::npos) << r.Describe();
    EXPECT_LT(line3, line4) << r.Describe();
    EXPECT_LT(line4, line7) << r.Describe();
    EXPECT_THAT(r.err, Not(HasSubstr("line 2"))) << r.Describe();
    EXPECT_THAT(r.out, HasSubstr("\"rows\":7,\"reports_accepted\":3,"))
        << r.Describe();
    EXPECT_THAT(r.out, HasSubstr("\"identifiers_added\":4,"
                                 "\"reports_rejected\":2,"
                                 "\"rows_with_errors\":1"))
        << r.Describe();
    ProcessResult verify = Fraudgate({"audit", "verify", "--data=" + data});
    EXPECT_EQ(verify.exit_code, 0) << verify.Describe();
    EXPECT_THAT(verify.out, HasSubstr("audit chain OK: 3 records"))
        << verify.Describe();
  }
  // A file that is not a police CSV stores nothing.
  const std::string bad = dir_.File("bad.csv");
  {
    std::ofstream out(bad, std::ios::binary);
    out << "reportid;agency;date\nR1;A;2024-12-01\n";
  }
  ProcessResult r = Fraudgate(
      {"import", "--offline", "--data=" + dir_.File("data-bad"), bad});
  EXPECT_EQ(r.exit_code, 1) << r.Describe();
  EXPECT_THAT(r.err, HasSubstr("line 1")) << r.Describe();
  ProcessResult verify =
      Fraudgate({"audit", "verify", "--data=" + dir_.File("data-bad")});
  EXPECT_THAT(verify.out, HasSubstr("audit chain OK: 0 records"))
      << verify.Describe();
}

// A date outside what a Timestamp holds used to abort the import (rc 134)
// converting it; it is a bad line like any other, online and offline.
TEST_F(PoliceCliTest, ImportNamesAYearOneDateAsABadLine) {
  const std::string csv = dir_.File("year-one.csv");
  {
    std::ofstream out(csv, std::ios::binary);
    out << "report_id,agency,reported_at,category,confidence,kind,issuer,"
           "value,victim_count,amount_lost,note\n"
        << "R1,A,0001-01-01,OTHER,CONFIRMED,PHONE,,0911000001,1,2,x\n"
        << "R2,A,2026-01-05,OTHER,CONFIRMED,PHONE,,0911000002,1,2,x\n";
    ASSERT_TRUE(out.good());
  }
  auto server = Serve(dir_.File("data-online"));
  ASSERT_NE(server, nullptr);
  for (const ProcessResult& r :
       {Fraudgate({"import", "--offline", "--data=" + dir_.File("data"), csv}),
        Client(*server, {"import", csv})}) {
    EXPECT_EQ(r.exit_code, 1) << r.Describe();
    EXPECT_THAT(r.err, HasSubstr("line 2: reported_at: \"0001-01-01\" is out "
                                 "of range"))
        << r.Describe();
    EXPECT_THAT(r.err, Not(HasSubstr("line 3"))) << r.Describe();
  }
}

TEST_F(PoliceCliTest, WithdrawAndAuditTrail) {
  const std::string data = dir_.File("data");
  auto server = Serve(data);
  ASSERT_NE(server, nullptr);
  ASSERT_EQ(Client(*server, {"import", FRAUDGATE_DEMO_CSV}).exit_code, 0);

  // KT-2025-0620 names a BIDV account and a phone that no other report names.
  ProcessResult r =
      Client(*server, {"withdraw", "--agency=PA05-CA Kon Tum",
                       "--report-id=KT-2025-0620", "--reason=nhầm đối tượng",
                       "--reference=CV-2026-55/PA05"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_THAT(r.out, HasSubstr("withdrawn, list_version 2"));
  EXPECT_THAT(r.out, HasSubstr("BANK_ACCOUNT:970418:21510001234567  DELISTED"));
  EXPECT_THAT(r.out, HasSubstr("PHONE:+84386123456"));

  ProcessResult screen =
      Client(*server, {"screen", "--format=json", "--bank=BIDV",
                       "--account=21510001234567", "--amount=3000000"});
  ASSERT_EQ(screen.exit_code, 0) << screen.Describe();
  EXPECT_EQ(FromJson<v1::ScreenTransferResponse>(screen.out).decision(),
            v1::DECISION_ALLOW);

  ProcessResult again = Client(
      *server, {"withdraw", "--agency=PA05-CA Kon Tum",
                "--report-id=KT-2025-0620", "--reason=x", "--reference=y"});
  EXPECT_THAT(again.out, HasSubstr("already withdrawn, list_version 2"));
  ProcessResult missing =
      Client(*server, {"withdraw", "--agency=X", "--report-id=NOPE",
                       "--reason=x", "--reference=y"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("NOT_FOUND"));

  // audit verify and log work beside the running server (read-only).
  ProcessResult verify = Fraudgate({"audit", "verify", "--data=" + data});
  EXPECT_EQ(verify.exit_code, 0) << verify.Describe();
  EXPECT_THAT(verify.out,
              HasSubstr("audit chain OK: 13 records, list_version 2"));
  const auto log = AuditLog(data);
  ASSERT_EQ(log.size(), 13u);
  EXPECT_EQ(log.back().action(), "REPORT_WITHDRAWN");
  EXPECT_EQ(log.back().reference(), "CV-2026-55/PA05");
  EXPECT_EQ(log.back().actor(), "admin/insecure");
  EXPECT_EQ(log.back().list_version(), 2u);
  ProcessResult table =
      Fraudgate({"audit", "log", "--data=" + data, "--from=13"});
  EXPECT_EQ(table.exit_code, 0);
  EXPECT_THAT(table.out, HasSubstr("REPORT_WITHDRAWN"));
  EXPECT_THAT(table.out, Not(HasSubstr("REPORT_ACCEPTED")));
  ASSERT_EQ(server->Stop(), 0);

  ProcessResult usage = Fraudgate({"audit", "check", "--data=" + data});
  EXPECT_EQ(usage.exit_code, 2);
  ProcessResult no_dir =
      Fraudgate({"audit", "verify", "--data=" + dir_.File("nope")});
  EXPECT_EQ(no_dir.exit_code, 1);
  EXPECT_FALSE(std::filesystem::exists(dir_.File("nope")));
}

}  // namespace
}  // namespace fraudgate
