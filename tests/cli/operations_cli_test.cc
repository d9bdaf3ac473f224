// Operations against the real binary (issue 7): `fraudgate config
// defaults|check`, `fraudgate health`, `fraudgate backup` (of a running
// server under load, through its admin socket, and of a stopped one;
// restored and served), and SIGTERM under load: calls in
// flight finish, nothing acknowledged is lost, the store is flushed (no log
// left to replay) and the next start is clean. FRAUDGATE_BIN is the path of
// the binary under test.
#include <signal.h>
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "tests/testing/child_process.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_server.h"

namespace fraudgate {
namespace {

using ::testing::HasSubstr;
using testing::ProcessResult;

ProcessResult RunFraudgate(const std::vector<std::string>& args) {
  return testing::RunProcess(FRAUDGATE_BIN, args);
}

std::shared_ptr<grpc::Channel> ChannelTo(const testing::ServeProcess& server) {
  return grpc::CreateChannel(server.address(),
                             grpc::InsecureChannelCredentials());
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

TEST(ConfigCliTest, DefaultsAreCheckedLikeServeChecksThem) {
  testing::TempDir dir;
  const ProcessResult defaults = RunFraudgate({"config", "defaults"});
  ASSERT_EQ(defaults.exit_code, 0) << defaults.Describe();
  EXPECT_THAT(defaults.out, HasSubstr("shutdown_grace_seconds: 10"));

  // The defaults serve mutual TLS from ./var/certs, which is not here.
  const std::string path = dir.File("fraudgate.conf");
  WriteFile(path, defaults.out);
  ProcessResult check = RunFraudgate({"config", "check", path});
  EXPECT_EQ(check.exit_code, 2) << check.Describe();
  EXPECT_THAT(check.err, HasSubstr("var/certs"));

  WriteFile(path, absl::StrReplaceAll(defaults.out,
                                      {{"insecure: false", "insecure: true"}}));
  check = RunFraudgate({"config", "check", path});
  EXPECT_EQ(check.exit_code, 0) << check.Describe();
  EXPECT_EQ(check.out, absl::StrCat("config OK: ", path, "\n"));

  // Insecure off loopback, a bad value with its line, an unknown field.
  WriteFile(path,
            "server {\n  insecure: true\n  listen: \"0.0.0.0:50051\"\n}\n");
  check = RunFraudgate({"config", "check", path});
  EXPECT_EQ(check.exit_code, 2) << check.Describe();
  EXPECT_THAT(check.err, HasSubstr("loopback"));
  WriteFile(path,
            "server { insecure: true }\nscoring {\n  hold_threshold: "
            "200\n}\n");
  check = RunFraudgate({"config", "check", path});
  EXPECT_EQ(check.exit_code, 2) << check.Describe();
  EXPECT_THAT(check.err, HasSubstr(":3: scoring.hold_threshold"));
  WriteFile(path, "server { colour: 1 }\n");
  check = RunFraudgate({"config", "check", path});
  EXPECT_EQ(check.exit_code, 2) << check.Describe();
  EXPECT_THAT(check.err, HasSubstr("colour"));
  check = RunFraudgate({"config", "check", dir.File("missing.conf")});
  EXPECT_EQ(check.exit_code, 2) << check.Describe();
  EXPECT_EQ(RunFraudgate({"config"}).exit_code, 2);
}

// The cluster section is checked as `serve` checks it, before anything is
// opened or connected to.
TEST(ConfigCliTest, ClusterSectionIsChecked) {
  testing::TempDir dir;
  const std::string path = dir.File("fraudgate.conf");
  const auto check_with = [&](const std::string& cluster) {
    WriteFile(path, "server { insecure: true }\ncluster {\n" + cluster + "}\n");
    return RunFraudgate({"config", "check", path});
  };
  ProcessResult check =
      check_with("  servers: \"nats://127.0.0.1:4222\"\n  node: \"n1\"\n");
  EXPECT_EQ(check.exit_code, 0) << check.Describe();

  check = check_with("  servers: \"nats://nats-0.nats:4222\"\n");
  EXPECT_EQ(check.exit_code, 2) << check.Describe();
  EXPECT_THAT(check.err, HasSubstr("cluster.tls_dir"));
  check = check_with("  servers: \"tls://nats-0.nats:4222\"\n  tls_dir: \"" +
                     dir.File("none") + "\"\n");
  EXPECT_EQ(check.exit_code, 2) << check.Describe();
  EXPECT_THAT(check.err, HasSubstr("none/ca.pem"));
  check = check_with("  servers: \"127.0.0.1:4222\"\n");
  EXPECT_EQ(check.exit_code, 2) << check.Describe();
  EXPECT_THAT(check.err, HasSubstr("cluster.servers"));
  check = check_with(
      "  servers: \"nats://127.0.0.1:4222\"\n  node: \"bad name\"\n");
  EXPECT_EQ(check.exit_code, 2) << check.Describe();
  EXPECT_THAT(check.err, HasSubstr("cluster.node"));
  check = check_with(
      "  servers: \"nats://127.0.0.1:4222\"\n  node: \"n1\"\n  "
      "hits_stream_max_age_hours: 0\n");
  EXPECT_EQ(check.exit_code, 2) << check.Describe();
  EXPECT_THAT(check.err, HasSubstr("cluster.hits_stream_max_age_hours"));
}

TEST(HealthCliTest, ServingWhileUpUnavailableAfterStop) {
  testing::TempDir dir;
  auto server = testing::ServeProcess::Start(FRAUDGATE_BIN, dir.File("data"),
                                             dir.File("server.log"));
  ASSERT_TRUE(server.ok()) << server.status();
  ProcessResult health =
      RunFraudgate({"health", "--insecure", (*server)->server_flag()});
  EXPECT_EQ(health.exit_code, 0) << health.Describe();
  EXPECT_EQ(health.out, "SERVING\n");
  ASSERT_EQ((*server)->Stop(), 0) << (*server)->Log();
  health = RunFraudgate(
      {"health", "--insecure", (*server)->server_flag(), "--timeout=2"});
  EXPECT_EQ(health.exit_code, 1) << health.Describe();
  EXPECT_THAT(health.err, HasSubstr("UNAVAILABLE"));
}

// The first number after `label` in `text`; 0 when there is none.
uint64_t NumberAfter(const std::string& text, const std::string& label) {
  const size_t at = text.find(label);
  return at == std::string::npos ? 0
                                 : std::stoull(text.substr(at + label.size()));
}

TEST(BackupCliTest, BackupOfARunningServerUnderLoadRestoresAndServes) {
  testing::TempDir dir;
  const std::string data = dir.File("data");
  auto server =
      testing::ServeProcess::Start(FRAUDGATE_BIN, data, dir.File("server.log"));
  ASSERT_TRUE(server.ok()) << server.status();
  auto channel = ChannelTo(**server);
  auto reports = v1::ReportService::NewStub(channel);
  auto screening = v1::ScreeningService::NewStub(channel);
  auto summary = testing::Upload(
      *reports,
      {testing::MakeReport("B-1", "PA05", v1::EXTORTION_DEEPFAKE, v1::CONFIRMED,
                           {testing::MakeIdentifier(v1::BANK_ACCOUNT, "970436",
                                                    "0071001234567")})});
  ASSERT_TRUE(summary.ok()) << summary.status();

  // Police uploads and screenings go on while the backup is taken.
  std::mutex mu;
  std::vector<std::string> accounts;  // acknowledged uploads, in order
  std::atomic<bool> stop{false};
  std::atomic<int> screened{0};
  std::thread uploader([&] {
    for (int i = 0; !stop.load(); ++i) {
      const std::string account = absl::StrCat(9200000 + i);
      auto uploaded = testing::Upload(
          *reports,
          {testing::MakeReport(
              absl::StrCat("L-", i), "PA05", v1::EXTORTION_DEEPFAKE,
              v1::CONFIRMED,
              {testing::MakeIdentifier(v1::BANK_ACCOUNT, "970436", account)})});
      ASSERT_TRUE(uploaded.ok()) << uploaded.status();
      std::lock_guard<std::mutex> lock(mu);
      accounts.push_back(account);
    }
  });
  std::thread screener([&] {
    for (int i = 0; !stop.load(); ++i) {
      v1::ScreenTransferRequest request;
      request.set_transfer_id(absl::StrCat("bk-", i));
      request.mutable_beneficiary()->set_bank("VCB");
      request.mutable_beneficiary()->set_account(absl::StrCat(7000000 + i));
      v1::ScreenTransferResponse response;
      grpc::ClientContext context;
      ASSERT_TRUE(screening->ScreenTransfer(&context, request, &response).ok());
      ++screened;
    }
  });
  const absl::Time give_up = absl::Now() + absl::Seconds(30);
  while ((screened.load() < 50 || accounts.size() < 5) &&
         absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  size_t acknowledged_before;
  {
    std::lock_guard<std::mutex> lock(mu);
    acknowledged_before = accounts.size();
  }
  const std::string backups = dir.File("backups");
  ProcessResult made = RunFraudgate(
      {"backup", "create", "--data=" + data, "--backup-dir=" + backups});
  // A second one, still online, shares the table files of the first.
  ProcessResult second = RunFraudgate(
      {"backup", "create", "--data=" + data, "--backup-dir=" + backups});
  stop = true;
  uploader.join();
  screener.join();
  ASSERT_EQ(made.exit_code, 0) << made.Describe() << (*server)->Log();
  EXPECT_THAT(made.out, HasSubstr("backup 1 of " + data +
                                  " (through the running "
                                  "server): from list_version "));
  ASSERT_EQ(second.exit_code, 0) << second.Describe();
  EXPECT_THAT(second.out, HasSubstr("backup 2 of " + data));
  EXPECT_GE(NumberAfter(made.out, "from list_version "),
            1 + acknowledged_before);
  EXPECT_THAT((*server)->Log(), HasSubstr("\"event\":\"backup_created\""));

  // Once the server is stopped (its socket is gone), the CLI opens the data
  // dir itself.
  ASSERT_EQ((*server)->Stop(), 0) << (*server)->Log();
  ProcessResult offline = RunFraudgate(
      {"backup", "create", "--data=" + data, "--backup-dir=" + backups});
  ASSERT_EQ(offline.exit_code, 0) << offline.Describe();
  EXPECT_THAT(offline.out, HasSubstr("backup 3 of " + data + ": from "));
  ProcessResult listed = RunFraudgate(
      {"backup", "list", "--backup-dir=" + backups, "--format=csv"});
  ASSERT_EQ(listed.exit_code, 0) << listed.Describe();
  EXPECT_THAT(listed.out, HasSubstr("id,created (+07),size,files,"
                                    "from_list_version\n1,"));
  ProcessResult verified =
      RunFraudgate({"backup", "verify", "--backup-dir=" + backups});
  EXPECT_EQ(verified.exit_code, 0) << verified.Describe();
  EXPECT_THAT(verified.out, HasSubstr("backup 1 OK"));
  EXPECT_THAT(verified.out, HasSubstr("backup 3 OK"));
  // Restoring over a data dir is refused; into a new one it works.
  ProcessResult over =
      RunFraudgate({"backup", "restore", "--id=1", "--backup-dir=" + backups,
                    "--data=" + data});
  EXPECT_EQ(over.exit_code, 1) << over.Describe();
  EXPECT_THAT(over.err, HasSubstr("not empty"));

  const std::string restored = dir.File("restored");
  ProcessResult back =
      RunFraudgate({"backup", "restore", "--id=1", "--backup-dir=" + backups,
                    "--data=" + restored});
  ASSERT_EQ(back.exit_code, 0) << back.Describe();
  EXPECT_THAT(back.out, HasSubstr("restored backup 1 into " + restored));
  const uint64_t version = NumberAfter(back.out, ": list_version ");
  EXPECT_GE(version, NumberAfter(made.out, "from list_version "));
  ProcessResult audit = RunFraudgate({"audit", "verify", "--data=" + restored});
  EXPECT_EQ(audit.exit_code, 0) << audit.Describe();
  EXPECT_THAT(audit.out, HasSubstr("audit chain OK"));

  auto again = testing::ServeProcess::Start(FRAUDGATE_BIN, restored,
                                            dir.File("server2.log"));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ((*again)->list_version_at_start(), version);
  ProcessResult blocked =
      RunFraudgate({"screen", "--insecure", (*again)->server_flag(),
                    "--bank=VCB", "--account=0071001234567"});
  EXPECT_EQ(blocked.exit_code, 0) << blocked.Describe();
  EXPECT_THAT(blocked.out, HasSubstr("BLOCK"));
  // The backup is one point in the list's history: upload i made version
  // i + 2, so it holds exactly the first version - 1 uploads, which include
  // every one acknowledged before the backup began.
  auto reports2 = v1::ReportService::NewStub(ChannelTo(**again));
  for (size_t i = 0; i < accounts.size(); ++i) {
    v1::GetEntityRequest request;
    *request.mutable_identifier() =
        testing::MakeIdentifier(v1::BANK_ACCOUNT, "970436", accounts[i]);
    v1::Entity entity;
    grpc::ClientContext context;
    const grpc::Status s = reports2->GetEntity(&context, request, &entity);
    if (i + 2 <= version) {
      EXPECT_TRUE(s.ok()) << "upload " << i
                          << " missing: " << s.error_message();
    } else {
      EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND) << "upload " << i;
    }
  }
  EXPECT_EQ((*again)->Stop(), 0) << (*again)->Log();
}

TEST(BackupCliTest, SocketLeftByAKilledServerFallsBackToTheDataDir) {
  testing::TempDir dir;
  const std::string data = dir.File("data");
  auto server =
      testing::ServeProcess::Start(FRAUDGATE_BIN, data, dir.File("server.log"));
  ASSERT_TRUE(server.ok()) << server.status();
  (*server)->Kill();
  ASSERT_TRUE(std::filesystem::exists(data + "/admin/sock"));
  ProcessResult made = RunFraudgate(
      {"backup", "create", "--data=" + data, "--backup-dir=" + dir.File("b")});
  ASSERT_EQ(made.exit_code, 0) << made.Describe();
  EXPECT_THAT(made.out, HasSubstr("backup 1 of " + data + ": from "));
  // A new server replaces the socket left behind.
  auto again = testing::ServeProcess::Start(FRAUDGATE_BIN, data,
                                            dir.File("server2.log"));
  ASSERT_TRUE(again.ok()) << again.status();
  ProcessResult online = RunFraudgate(
      {"backup", "create", "--data=" + data, "--backup-dir=" + dir.File("b")});
  ASSERT_EQ(online.exit_code, 0) << online.Describe();
  EXPECT_THAT(online.out, HasSubstr("backup 2 of " + data +
                                    " (through the running server)"));
  EXPECT_EQ((*again)->Stop(), 0) << (*again)->Log();
  // The admin socket's directory is the server user's alone.
  struct stat st;
  ASSERT_EQ(stat((data + "/admin").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

// Sizes of the write-ahead log files of a data dir.
std::vector<uintmax_t> WalSizes(const std::string& data) {
  std::vector<uintmax_t> sizes;
  for (const auto& entry : std::filesystem::directory_iterator(data)) {
    if (entry.path().extension() == ".log") sizes.push_back(entry.file_size());
  }
  return sizes;
}

TEST(ShutdownTest, SigtermUnderLoadLosesNothingAcknowledged) {
  testing::TempDir dir;
  const std::string data = dir.File("data");
  auto server =
      testing::ServeProcess::Start(FRAUDGATE_BIN, data, dir.File("server.log"));
  ASSERT_TRUE(server.ok()) << server.status();
  auto channel = ChannelTo(**server);
  auto screening = v1::ScreeningService::NewStub(channel);
  auto reports = v1::ReportService::NewStub(channel);

  // Screening and upload threads until their calls fail; each records what
  // the server acknowledged.
  std::mutex mu;
  std::vector<std::string> hit_ids;
  std::vector<std::string> accounts;
  std::vector<std::pair<std::string, grpc::StatusCode>> refusals;
  std::atomic<int> started{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 3; ++t) {
    clients.emplace_back([&, t] {
      for (int i = 0;; ++i) {
        v1::ScreenTransferRequest request;
        request.set_transfer_id(absl::StrCat("sig-", t, "-", i));
        request.mutable_beneficiary()->set_bank("VCB");
        request.mutable_beneficiary()->set_account(
            absl::StrCat(7000000 + t * 100000 + i));
        v1::ScreenTransferResponse response;
        grpc::ClientContext context;
        context.set_deadline(std::chrono::system_clock::now() +
                             std::chrono::seconds(20));
        grpc::Status s =
            screening->ScreenTransfer(&context, request, &response);
        ++started;
        std::lock_guard<std::mutex> lock(mu);
        if (!s.ok()) {
          refusals.emplace_back(request.transfer_id(), s.error_code());
          return;
        }
        hit_ids.push_back(response.hit_id());
      }
    });
  }
  clients.emplace_back([&] {
    for (int i = 0;; ++i) {
      const std::string account = absl::StrCat(9100000 + i);
      auto summary = testing::Upload(
          *reports,
          {testing::MakeReport(
              absl::StrCat("SIG-", i), "PA05", v1::EXTORTION_DEEPFAKE,
              v1::CONFIRMED,
              {testing::MakeIdentifier(v1::BANK_ACCOUNT, "970436", account)})});
      std::lock_guard<std::mutex> lock(mu);
      if (!summary.ok()) return;
      accounts.push_back(account);
    }
  });
  const absl::Time give_up = absl::Now() + absl::Seconds(60);
  while (started.load() < 300 && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  EXPECT_GE(started.load(), 300);
  const int code = (*server)->Stop();
  for (std::thread& c : clients) c.join();
  ASSERT_EQ(code, 0) << (*server)->Log();
  EXPECT_THAT((*server)->Log(),
              HasSubstr("SIGTERM: finishing in-flight calls"));
  EXPECT_THAT((*server)->Log(), HasSubstr("stopped cleanly"));
  ASSERT_GE(hit_ids.size(), 300u);
  ASSERT_FALSE(accounts.empty());
  // Calls after the stop began were refused, not left hanging: UNAVAILABLE,
  // or CANCELLED for a call gRPC 1.51 had taken in but not yet handed to a
  // handler (it cancels those on shutdown: grpc/grpc#41785). Either way the
  // bank retries with the same transfer_id (below).
  for (const auto& [id, refused] : refusals) {
    EXPECT_TRUE(refused == grpc::StatusCode::UNAVAILABLE ||
                refused == grpc::StatusCode::CANCELLED)
        << id << ": " << refused;
  }
  // Flushed on the way out: no log for the next start to replay.
  const std::vector<uintmax_t> wal = WalSizes(data);
  EXPECT_FALSE(wal.empty());
  for (uintmax_t size : wal) EXPECT_EQ(size, 0u);

  auto again = testing::ServeProcess::Start(FRAUDGATE_BIN, data,
                                            dir.File("server2.log"));
  ASSERT_TRUE(again.ok()) << again.status();
  // Every acknowledged upload is there (one whose answer was lost in the
  // shutdown may be too).
  EXPECT_GE((*again)->list_version_at_start(), accounts.size());
  auto channel2 = ChannelTo(**again);
  auto history = v1::HistoryService::NewStub(channel2);
  for (const std::string& id : hit_ids) {
    v1::GetHitRequest request;
    request.set_hit_id(id);
    v1::Hit hit;
    grpc::ClientContext context;
    ASSERT_TRUE(history->GetHit(&context, request, &hit).ok())
        << "acknowledged screening " << id << " lost";
  }
  // A refused screening, retried with its transfer_id, is answered.
  auto screening2 = v1::ScreeningService::NewStub(channel2);
  for (const auto& [id, refused] : refusals) {
    v1::ScreenTransferRequest request;
    request.set_transfer_id(id);
    request.mutable_beneficiary()->set_bank("VCB");
    request.mutable_beneficiary()->set_account("7999999");
    v1::ScreenTransferResponse response;
    grpc::ClientContext context;
    EXPECT_TRUE(screening2->ScreenTransfer(&context, request, &response).ok())
        << id;
  }
  auto reports2 = v1::ReportService::NewStub(channel2);
  for (const std::string& account : accounts) {
    v1::GetEntityRequest request;
    *request.mutable_identifier() =
        testing::MakeIdentifier(v1::BANK_ACCOUNT, "970436", account);
    v1::Entity entity;
    grpc::ClientContext context;
    ASSERT_TRUE(reports2->GetEntity(&context, request, &entity).ok())
        << "acknowledged report on " << account << " lost";
    EXPECT_EQ(entity.status(), v1::ACTIVE);
  }
  EXPECT_EQ((*again)->Stop(), 0) << (*again)->Log();
}

}  // namespace
}  // namespace fraudgate
