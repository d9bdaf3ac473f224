// The `fraudgate` binary end to end: a real `fraudgate serve` child process on
// a temp data dir and port 0, driven by real client subcommands (screen,
// import, entity, delist) run as child processes, exactly as an operator
// would. FRAUDGATE_BIN is the path of the binary under test.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "fraudgate/v1/fraudgate.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "tests/testing/child_process.h"
#include "tests/testing/temp_dir.h"

namespace fraudgate {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

// ---------------------------------------------------------------------------
// Child processes (tests/testing/child_process.h) running FRAUDGATE_BIN.

using testing::ProcessResult;
using Server = testing::ServeProcess;

// Runs `fraudgate args...` to completion, capturing stdout and stderr.
ProcessResult RunFraudgate(const std::vector<std::string>& args,
                           absl::Duration timeout = absl::Seconds(20)) {
  return testing::RunProcess(FRAUDGATE_BIN, args, timeout);
}

// ---------------------------------------------------------------------------
// Test data.

constexpr char kHeader[] =
    "report_id,agency,reported_at,category,confidence,kind,issuer,value,"
    "victim_count,amount_lost,note\n";

// Reports a few days old: full points (older than 365 days count half).
std::string RecentDate() {
  return absl::FormatTime("%Y-%m-%d", absl::Now() - absl::Hours(72),
                          absl::FixedTimeZone(7 * 3600));
}

// The blocklist of the Kon Tum warning (DESIGN: 5354/CAT-PA05):
// - KT-5354-01 (CONFIRMED, deepfake extortion): the Vietcombank account the
//   victims were told to pay, the caller's phone in its pre-2018 form
//   (0162 -> 032), and the Telegram account that sent the clips.
// - KT-5354-02 (SUSPECTED): a MobiFone number listed in its modern form
//   (070, formerly 0120), and a VietinBank account that is delisted later.
std::string BlocklistCsv() {
  const std::string d = RecentDate();
  return absl::StrCat(
      kHeader, "KT-5354-01,PA05 CA Kon Tum,", d,
      ",EXTORTION_DEEPFAKE,CONFIRMED,BANK_ACCOUNT,970436,1023456789,3,"
      "150000000,\"Video \"\"nóng\"\" cắt ghép, đe dọa tung lên mạng\"\n",
      "KT-5354-01,PA05 CA Kon Tum,", d,
      ",EXTORTION_DEEPFAKE,CONFIRMED,PHONE,,0162 912 3456,3,150000000,"
      "Gọi từ số không đăng ký\n",
      "KT-5354-01,PA05 CA Kon Tum,", d,
      ",EXTORTION_DEEPFAKE,CONFIRMED,CHAT_HANDLE,TELEGRAM,@ScamBoss_KT,3,"
      "150000000,\n",
      "KT-5354-02,PA05 CA Kon Tum,", d,
      "T10:30:00,extortion_other,suspected,PHONE,,+84 70 123 4567,1,,\n",
      "KT-5354-02,PA05 CA Kon Tum,", d,
      "T10:30:00,extortion_other,suspected,BANK_ACCOUNT,ICB,555-666-777,1,,\n");
}

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  ASSERT_TRUE(out.good()) << path;
}

// ---------------------------------------------------------------------------
// The fixture: its own temp dir, a server on it, and the blocklist imported.

class CliEndToEndTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = dir_.File("data");
    ASSERT_NO_FATAL_FAILURE(StartServer());
    ASSERT_NE(server_, nullptr);
    EXPECT_EQ(server_->list_version_at_start(), 0u) << server_->first_line();
    WriteFile(dir_.File("blocklist.csv"), BlocklistCsv());
    import_ = Client({"import", dir_.File("blocklist.csv")});
    ASSERT_EQ(import_.exit_code, 0) << import_.Describe();
  }

  void TearDown() override {
    if (server_ == nullptr) return;
    const int code = server_->Stop();
    EXPECT_EQ(code, 0) << "serve did not stop cleanly:\n" << server_->Log();
    EXPECT_THAT(server_->Log(), HasSubstr("stopped cleanly"));
    server_.reset();
  }

  void StartServer() {
    auto server = Server::Start(FRAUDGATE_BIN, data_, dir_.File("server.log"));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }

  // Stops the server (asserting a clean exit) and starts a new one on the same
  // data dir.
  void RestartServer() {
    ASSERT_TRUE(server_->Alive()) << server_->Log();
    const int code = server_->Stop();
    ASSERT_EQ(code, 0) << server_->Log();
    ASSERT_THAT(server_->Log(), HasSubstr("SIGTERM"));
    ASSERT_THAT(server_->Log(), HasSubstr("stopped cleanly"));
    server_.reset();
    ASSERT_NO_FATAL_FAILURE(StartServer());
  }

  // A client subcommand against the server: args[0] is the subcommand.
  ProcessResult Client(std::vector<std::string> args) {
    args.insert(args.begin() + 1,
                {server_->server_flag(), "--insecure", "--timeout=10"});
    return RunFraudgate(args);
  }

  // `screen --format=json` with `flags`; fails the test unless it exits 0
  // with a ScreenTransferResponse.
  v1::ScreenTransferResponse Screen(const std::vector<std::string>& flags) {
    std::vector<std::string> args = {"screen", "--format=json"};
    args.insert(args.end(), flags.begin(), flags.end());
    ProcessResult r = Client(args);
    v1::ScreenTransferResponse response;
    EXPECT_EQ(r.exit_code, 0) << r.Describe();
    if (r.exit_code != 0) return response;
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = false;
    auto status =
        google::protobuf::util::JsonStringToMessage(r.out, &response, options);
    EXPECT_TRUE(status.ok()) << status.ToString() << "\n" << r.Describe();
    return response;
  }

  // `entity --format=json`; fails the test unless it exits 0.
  v1::Entity Entity(const std::vector<std::string>& flags) {
    std::vector<std::string> args = {"entity", "--format=json"};
    args.insert(args.end(), flags.begin(), flags.end());
    ProcessResult r = Client(args);
    v1::Entity entity;
    EXPECT_EQ(r.exit_code, 0) << r.Describe();
    if (r.exit_code != 0) return entity;
    auto status = google::protobuf::util::JsonStringToMessage(r.out, &entity);
    EXPECT_TRUE(status.ok()) << status.ToString() << "\n" << r.Describe();
    return entity;
  }

  // The list version the server reports now (from a screening).
  uint64_t ListVersion() {
    return Screen({"--bank=970436", "--account=99990000"}).list_version();
  }

  testing::TempDir dir_;
  std::string data_;
  std::unique_ptr<Server> server_;
  ProcessResult import_;
};

std::string Codes(const v1::ScreenTransferResponse& r) {
  std::vector<std::string> codes;
  for (const v1::Reason& reason : r.reasons()) codes.push_back(reason.code());
  return absl::StrJoin(codes, ",");
}

// The reason with `code`, or nullptr.
const v1::Reason* FindReason(const v1::ScreenTransferResponse& r,
                             const std::string& code) {
  for (const v1::Reason& reason : r.reasons()) {
    if (reason.code() == code) return &reason;
  }
  return nullptr;
}

// Screenings of the scenarios, each given as written by a bank operator.
const std::vector<std::vector<std::string>>& Screenings() {
  static const auto* kScreenings = new std::vector<std::vector<std::string>>{
      {"--bank=VCB", "--account=1023 456 789", "--amount=50000000"},
      {"--bank=vietcombank", "--account=1023.456.789"},
      {"--phone=+84 32 912 3456"},
      {"--phone=0329123456"},
      {"--phone=0120 123 4567"},
      {"--bank=970415", "--account=555666777"},
      {"--bank=BIDV", "--account=31410001234567"},
      {"--bank=VCB", "--account=0011004455667",
       "--contact=CHAT_HANDLE:TELEGRAM:t.me/scamboss_kt"},
  };
  return *kScreenings;
}

// ---------------------------------------------------------------------------
// a. Import.

TEST_F(CliEndToEndTest, ImportReportsWhatWasStored) {
  EXPECT_THAT(import_.out, HasSubstr("rows 5"));
  EXPECT_THAT(import_.out, HasSubstr("reports accepted 2"));
  EXPECT_THAT(import_.out, HasSubstr("rejected 0"));
  EXPECT_THAT(import_.out, HasSubstr("rows with errors 0"));
  EXPECT_THAT(import_.out, HasSubstr("identifiers added 5"));
  EXPECT_THAT(import_.err, Not(HasSubstr("line ")));
  const uint64_t version = ListVersion();
  EXPECT_GT(version, 0u);
  EXPECT_THAT(import_.out, HasSubstr(absl::StrCat("list_version ", version)));

  // Re-importing the same file is a no-op, also for the list version.
  ProcessResult again =
      Client({"import", "--format=json", dir_.File("blocklist.csv")});
  ASSERT_EQ(again.exit_code, 0) << again.Describe();
  EXPECT_THAT(again.out, HasSubstr("\"rows\":5"));
  EXPECT_THAT(again.out, HasSubstr("\"reports_accepted\":0"));
  EXPECT_THAT(again.out, HasSubstr("\"reports_unchanged\":2"));
  EXPECT_THAT(again.out, HasSubstr("\"identifiers_added\":0"));
  EXPECT_THAT(again.out,
              HasSubstr(absl::StrCat("\"list_version\":", version, "}")));
  EXPECT_EQ(ListVersion(), version);

  // The stored entity keeps the provenance of the CSV.
  v1::Entity account = Entity(
      {"--kind=BANK_ACCOUNT", "--issuer=Vietcombank", "--value=1023456789"});
  EXPECT_EQ(account.status(), v1::ACTIVE);
  EXPECT_EQ(account.identifier().issuer(), "970436");
  ASSERT_EQ(account.reports_size(), 1);
  EXPECT_EQ(account.reports(0).report_id(), "KT-5354-01");
  EXPECT_EQ(account.reports(0).agency(), "PA05 CA Kon Tum");
  EXPECT_EQ(account.reports(0).category(), v1::EXTORTION_DEEPFAKE);
  EXPECT_EQ(account.reports(0).confidence(), v1::CONFIRMED);
  EXPECT_EQ(account.linked_size(), 2);

  v1::Entity handle = Entity(
      {"--kind=chat_handle", "--issuer=TELEGRAM", "--value=@ScamBoss_KT"});
  EXPECT_EQ(handle.identifier().value(), "scamboss_kt");
  EXPECT_EQ(handle.status(), v1::ACTIVE);
}

TEST_F(CliEndToEndTest, ImportInSmallChunksNamesTheLinesOfRejectedReports) {
  // One report a stream: the server's rejection index is per stream, and the
  // CLI must still name the right line of the file.
  const std::string d = RecentDate();
  WriteFile(dir_.File("more.csv"),
            absl::StrCat(kHeader,               // 1
                         "M1,PC02 Ha Noi,", d,  // 2
                         ",SHOPPING_SCAM,SUSPECTED,PHONE,,0911222333,,,\n",
                         "M2,PC02 Ha Noi,", d,  // 3
                         ",SHOPPING_SCAM,SUSPECTED,BANK_ACCOUNT,NOPEBANK,"
                         "12345678,,,\n",
                         "M3,PC02 Ha Noi,", d,  // 4
                         ",SHOPPING_SCAM,SUSPECTED,EWALLET,MOMO,0911222444,,,"
                         "\n"));
  ProcessResult r = Client({"import", "--chunk=1", dir_.File("more.csv")});
  EXPECT_EQ(r.exit_code, 1) << r.Describe();
  EXPECT_THAT(r.err, HasSubstr("line 3: report M2 rejected")) << r.Describe();
  EXPECT_THAT(r.err, Not(HasSubstr("line 2"))) << r.Describe();
  EXPECT_THAT(r.err, Not(HasSubstr("line 4"))) << r.Describe();
  EXPECT_THAT(r.out, HasSubstr("reports accepted 2")) << r.Describe();
  EXPECT_THAT(r.out, HasSubstr("rejected 1")) << r.Describe();
  EXPECT_NE(Screen({"--phone=0911222333"}).decision(), v1::DECISION_ALLOW);

  ProcessResult bad_chunk =
      Client({"import", "--chunk=0", dir_.File("more.csv")});
  EXPECT_EQ(bad_chunk.exit_code, 2) << bad_chunk.Describe();
  EXPECT_THAT(bad_chunk.err, HasSubstr("--chunk"));
}

// b. The listed account written another way is blocked.

TEST_F(CliEndToEndTest, ListedAccountWrittenAnotherWayIsBlocked) {
  for (const std::vector<std::string>& flags :
       {std::vector<std::string>{"--bank=VCB", "--account=1023 456 789"},
        std::vector<std::string>{"--bank=vietcombank",
                                 "--account=1023-456-789"},
        std::vector<std::string>{"--bank=970436", "--account=1023456789"}}) {
    v1::ScreenTransferResponse r = Screen(flags);
    EXPECT_EQ(r.decision(), v1::DECISION_BLOCK) << r.ShortDebugString();
    EXPECT_GE(r.score(), 85);
    const v1::Reason* reason = FindReason(r, "BENEFICIARY_ACCOUNT_LISTED");
    ASSERT_NE(reason, nullptr) << r.ShortDebugString();
    EXPECT_EQ(reason->identifier().kind(), v1::BANK_ACCOUNT);
    EXPECT_EQ(reason->identifier().issuer(), "970436");
    EXPECT_EQ(reason->identifier().value(), "1023456789");
    EXPECT_EQ(reason->report_count(), 1);
    ASSERT_EQ(reason->categories_size(), 1);
    EXPECT_EQ(reason->categories(0), v1::EXTORTION_DEEPFAKE);
    EXPECT_THAT(r.customer_message(), HasSubstr("deepfake"));
    EXPECT_THAT(r.transfer_id(), Not(IsEmpty()));
    EXPECT_THAT(r.hit_id(), Not(IsEmpty()));
    EXPECT_GT(r.list_version(), 0u);
  }

  // The table and csv formats say the same.
  ProcessResult table =
      Client({"screen", "--bank=VCB", "--account=1023 456 789"});
  ASSERT_EQ(table.exit_code, 0) << table.Describe();
  EXPECT_THAT(table.out, HasSubstr("BLOCK"));
  EXPECT_THAT(table.out, HasSubstr("BENEFICIARY_ACCOUNT_LISTED"));
  ProcessResult csv = Client({"screen", "--format=csv", "--transfer-id=t,1",
                              "--bank=VCB", "--account=1023 456 789"});
  ASSERT_EQ(csv.exit_code, 0) << csv.Describe();
  EXPECT_THAT(csv.out, HasSubstr("transfer_id,decision,score"));
  EXPECT_THAT(csv.out, HasSubstr("\"t,1\",BLOCK,"));
  EXPECT_THAT(csv.out,
              HasSubstr("BENEFICIARY_ACCOUNT_LISTED=BANK_ACCOUNT:970436:"
                        "1023456789"));
}

// c. Phones match across the 2018 renumbering, both ways.

TEST_F(CliEndToEndTest, ListedPhoneMatchesInEveryForm) {
  // Listed as 0162 912 3456 (CONFIRMED), screened in the modern forms.
  for (const std::string phone :
       {"+84 32 912 3456", "0329123456", "(+84) 32-912-3456", "0162 912 3456",
        "84329123456"}) {
    v1::ScreenTransferResponse r = Screen({"--phone=" + phone});
    EXPECT_NE(r.decision(), v1::DECISION_ALLOW) << phone;
    EXPECT_GE(r.decision(), v1::DECISION_HOLD) << phone;
    const v1::Reason* reason = FindReason(r, "BENEFICIARY_PHONE_LISTED");
    ASSERT_NE(reason, nullptr) << phone << ": " << r.ShortDebugString();
    EXPECT_EQ(reason->identifier().kind(), v1::PHONE);
    EXPECT_EQ(reason->identifier().value(), "+84329123456");
  }
  // Listed as +84 70 123 4567 (SUSPECTED), screened in the pre-2018 form.
  for (const std::string phone : {"0120 123 4567", "+84 120 123 4567"}) {
    v1::ScreenTransferResponse r = Screen({"--phone=" + phone});
    EXPECT_NE(r.decision(), v1::DECISION_ALLOW) << phone;
    const v1::Reason* reason = FindReason(r, "BENEFICIARY_PHONE_LISTED");
    ASSERT_NE(reason, nullptr) << phone << ": " << r.ShortDebugString();
    EXPECT_EQ(reason->identifier().value(), "+84701234567");
    ASSERT_EQ(reason->categories_size(), 1);
    EXPECT_EQ(reason->categories(0), v1::EXTORTION_OTHER);
  }
  // An unlisted neighbour of the listed number is allowed.
  EXPECT_EQ(Screen({"--phone=0329123457"}).decision(), v1::DECISION_ALLOW);
}

TEST_F(CliEndToEndTest, ListedContactIsFlagged) {
  v1::ScreenTransferResponse r =
      Screen({"--bank=VCB", "--account=0011004455667",
              "--contact=CHAT_HANDLE:TELEGRAM:t.me/ScamBoss_KT"});
  EXPECT_NE(r.decision(), v1::DECISION_ALLOW) << r.ShortDebugString();
  const v1::Reason* reason = FindReason(r, "CONTACT_LISTED");
  ASSERT_NE(reason, nullptr) << r.ShortDebugString();
  EXPECT_EQ(reason->identifier().value(), "scamboss_kt");
}

// d. Delisting.

TEST_F(CliEndToEndTest, DelistedIdentifierIsAllowed) {
  v1::ScreenTransferResponse before =
      Screen({"--bank=970415", "--account=555666777"});
  ASSERT_NE(before.decision(), v1::DECISION_ALLOW) << before.ShortDebugString();
  ASSERT_NE(FindReason(before, "BENEFICIARY_ACCOUNT_LISTED"), nullptr);

  ProcessResult delist = Client({"delist", "--kind=BANK_ACCOUNT",
                                 "--issuer=VietinBank", "--value=555 666 777",
                                 "--reason=tài khoản của nạn nhân, nhập nhầm",
                                 "--reference=CV-123/PA05"});
  ASSERT_EQ(delist.exit_code, 0) << delist.Describe();
  EXPECT_THAT(delist.out, HasSubstr("DELISTED"));

  v1::ScreenTransferResponse after =
      Screen({"--bank=ICB", "--account=555666777"});
  EXPECT_EQ(after.decision(), v1::DECISION_ALLOW) << after.ShortDebugString();
  EXPECT_EQ(after.score(), 0);
  EXPECT_EQ(FindReason(after, "BENEFICIARY_ACCOUNT_LISTED"), nullptr);
  EXPECT_GT(after.list_version(), before.list_version());

  v1::Entity entity =
      Entity({"--kind=BANK_ACCOUNT", "--issuer=970415", "--value=555666777"});
  EXPECT_EQ(entity.status(), v1::DELISTED);
  EXPECT_EQ(entity.identifier().value(), "555666777");
  ASSERT_GE(entity.history_size(), 2);
  const v1::EntityEvent& last = entity.history(entity.history_size() - 1);
  EXPECT_EQ(last.action(), "DELISTED");
  EXPECT_THAT(last.reason(), HasSubstr("nhập nhầm"));
  EXPECT_THAT(last.reason(), HasSubstr("CV-123/PA05"));
  // The report stays on record.
  ASSERT_EQ(entity.reports_size(), 1);
  EXPECT_EQ(entity.reports(0).report_id(), "KT-5354-02");

  // The other identifier of the same report is still listed.
  EXPECT_NE(Screen({"--phone=0701234567"}).decision(), v1::DECISION_ALLOW);

  // The table format shows the status and the history.
  ProcessResult table = Client(
      {"entity", "--kind=BANK_ACCOUNT", "--issuer=ICB", "--value=555666777"});
  ASSERT_EQ(table.exit_code, 0) << table.Describe();
  EXPECT_THAT(table.out, HasSubstr("DELISTED"));
  EXPECT_THAT(table.out, HasSubstr("KT-5354-02"));
}

// e. Unknown account.

TEST_F(CliEndToEndTest, UnknownAccountIsAllowed) {
  v1::ScreenTransferResponse r =
      Screen({"--bank=BIDV", "--account=31410001234567", "--amount=2000000"});
  EXPECT_EQ(r.decision(), v1::DECISION_ALLOW) << r.ShortDebugString();
  EXPECT_EQ(r.score(), 0);
  EXPECT_EQ(r.reasons_size(), 0) << r.ShortDebugString();
  EXPECT_GT(r.list_version(), 0u);
  // The same account number at another bank than the listed one.
  v1::ScreenTransferResponse other =
      Screen({"--bank=TCB", "--account=1023456789"});
  EXPECT_EQ(other.decision(), v1::DECISION_ALLOW) << other.ShortDebugString();
}

TEST_F(CliEndToEndTest, AnalystRecordsVerdicts) {
  v1::ScreenTransferResponse r =
      Screen({"--bank=BIDV", "--account=31410001234567"});
  ASSERT_FALSE(r.hit_id().empty());
  ProcessResult first =
      Client({"outcome", "--hit-id=" + r.hit_id(), "--outcome=customer_aborted",
              "--note=khách dừng lại"});
  ASSERT_EQ(first.exit_code, 0) << first.Describe();
  EXPECT_THAT(first.out, HasSubstr("CUSTOMER_ABORTED"));
  ProcessResult second =
      Client({"outcome", "--format=json", "--hit-id=" + r.hit_id(),
              "--outcome=FALSE_POSITIVE", "--note=checked"});
  ASSERT_EQ(second.exit_code, 0) << second.Describe();
  v1::Hit hit;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(second.out, &hit).ok())
      << second.out;
  EXPECT_EQ(hit.outcome(), v1::FALSE_POSITIVE);
  ASSERT_EQ(hit.outcome_history_size(), 2);
  EXPECT_EQ(hit.outcome_history(0).note(), "khách dừng lại");

  ProcessResult bad =
      Client({"outcome", "--hit-id=" + r.hit_id(), "--outcome=MAYBE"});
  EXPECT_EQ(bad.exit_code, 2) << bad.Describe();
  ProcessResult unknown =
      Client({"outcome", "--hit-id=ffff", "--outcome=FALSE_POSITIVE"});
  EXPECT_EQ(unknown.exit_code, 1) << unknown.Describe();
  EXPECT_THAT(unknown.err, HasSubstr("NOT_FOUND"));
}

TEST_F(CliEndToEndTest, StatsCountTodaysScreenings) {
  Screen({"--bank=BIDV", "--account=31410001234567"});
  Screen({"--bank=BIDV", "--account=31410001234568"});
  ProcessResult r = Client({"stats", "--format=json"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  v1::HitStatsResponse stats;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.out, &stats).ok())
      << r.out;
  EXPECT_EQ(stats.screenings(), 2);
  ASSERT_EQ(stats.by_decision_size(), 4);
  EXPECT_EQ(stats.by_decision(0).count(), 2);  // ALLOW
  ProcessResult table = Client({"stats", "--from=2026-01-01", "--top=3"});
  ASSERT_EQ(table.exit_code, 0) << table.Describe();
  EXPECT_THAT(table.out, HasSubstr("screenings  2"));
  ProcessResult bad = Client({"stats", "--from=yesterday"});
  EXPECT_EQ(bad.exit_code, 2) << bad.Describe();
}

TEST_F(CliEndToEndTest, PastFindsEarlierAllowedTransfers) {
  v1::ScreenTransferResponse r =
      Screen({"--bank=BIDV", "--account=31410001234567", "--amount=7000000"});
  ASSERT_EQ(r.decision(), v1::DECISION_ALLOW);
  ProcessResult past = Client({"past", "--format=json", "--kind=BANK_ACCOUNT",
                               "--issuer=BIDV", "--value=3141 0001 234567"});
  ASSERT_EQ(past.exit_code, 0) << past.Describe();
  v1::QueryHitsResponse hits;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(past.out, &hits).ok())
      << past.out;
  ASSERT_EQ(hits.hits_size(), 1);
  EXPECT_EQ(hits.hits(0).hit_id(), r.hit_id());
  EXPECT_EQ(hits.hits(0).amount(), 7000000);
  ProcessResult table = Client({"past", "--kind=BANK_ACCOUNT", "--issuer=BIDV",
                                "--value=31410001234567"});
  ASSERT_EQ(table.exit_code, 0) << table.Describe();
  EXPECT_THAT(table.out, HasSubstr("BANK_ACCOUNT:970418:31410001234567"));
  ProcessResult missing = Client({"past"});
  EXPECT_EQ(missing.exit_code, 2) << missing.Describe();
}

// f. Restart on the same data dir.

TEST_F(CliEndToEndTest, RestartGivesSameAnswers) {
  // A delisting before the restart must survive it too.
  ProcessResult delist =
      Client({"delist", "--kind=BANK_ACCOUNT", "--issuer=970415",
              "--value=555666777", "--reason=sai", "--reference=CV-1"});
  ASSERT_EQ(delist.exit_code, 0) << delist.Describe();

  std::vector<v1::ScreenTransferResponse> before;
  for (const auto& flags : Screenings()) before.push_back(Screen(flags));
  const uint64_t version = before[0].list_version();
  ASSERT_GT(version, 0u);
  const v1::ScreenTransferResponse idempotent = Screen(
      {"--transfer-id=FT24340123456", "--bank=VCB", "--account=1023456789"});

  ASSERT_NO_FATAL_FAILURE(RestartServer());
  ASSERT_NE(server_, nullptr);
  EXPECT_EQ(server_->list_version_at_start(), version) << server_->first_line();

  for (size_t i = 0; i < Screenings().size(); ++i) {
    const v1::ScreenTransferResponse after = Screen(Screenings()[i]);
    const std::string what = absl::StrJoin(Screenings()[i], " ");
    EXPECT_EQ(after.decision(), before[i].decision()) << what;
    EXPECT_EQ(after.score(), before[i].score()) << what;
    EXPECT_EQ(Codes(after), Codes(before[i])) << what;
    EXPECT_EQ(after.list_version(), version) << what;
    EXPECT_NE(after.transfer_id(), before[i].transfer_id()) << what;
    EXPECT_NE(after.hit_id(), before[i].hit_id()) << what;
  }
  EXPECT_EQ(before[0].decision(), v1::DECISION_BLOCK);
  EXPECT_NE(before[2].decision(), v1::DECISION_ALLOW);
  EXPECT_EQ(before[5].decision(), v1::DECISION_ALLOW);  // delisted
  EXPECT_EQ(before[6].decision(), v1::DECISION_ALLOW);  // unknown

  // A repeated transfer_id returns the recorded result, across the restart.
  const v1::ScreenTransferResponse repeat = Screen(
      {"--transfer-id=FT24340123456", "--bank=VCB", "--account=1023456789"});
  EXPECT_EQ(repeat.hit_id(), idempotent.hit_id());
  EXPECT_EQ(repeat.decision(), idempotent.decision());
  EXPECT_EQ(repeat.transfer_id(), "FT24340123456");

  v1::Entity entity =
      Entity({"--kind=BANK_ACCOUNT", "--issuer=970415", "--value=555666777"});
  EXPECT_EQ(entity.status(), v1::DELISTED);
}

// g. Bad input never crashes and never changes stored data.

TEST_F(CliEndToEndTest, BadInputIsRefusedAndChangesNothing) {
  std::vector<v1::ScreenTransferResponse> before;
  for (const auto& flags : Screenings()) before.push_back(Screen(flags));
  const uint64_t version = ListVersion();

  struct BadScreen {
    std::vector<std::string> flags;
    std::string field;
  };
  const BadScreen bad_screens[] = {
      {{"--transfer-id=", "--bank=VCB", "--account=1023456789"}, "transfer_id"},
      {{"--transfer-id", std::string(129, 'x'), "--bank=VCB",
        "--account=1023456789"},
       "transfer_id"},
      {{"--amount=-5", "--bank=VCB", "--account=1023456789"}, "amount"},
      {{"--bank=NOPEBANK", "--account=1023456789"}, "beneficiary.bank"},
      {{"--account=1023456789"}, "beneficiary.bank"},
      {{"--bank=VCB", "--account=1023456789",
        "--memo=" + std::string(10240, 'a')},
       "memo"},
      {{"--bank=VCB", "--account=12"}, "beneficiary.account"},
      {{"--phone=12345"}, "beneficiary.phone"},
      {{}, "beneficiary"},
  };
  for (const BadScreen& bad : bad_screens) {
    std::vector<std::string> args = {"screen"};
    args.insert(args.end(), bad.flags.begin(), bad.flags.end());
    ProcessResult r = Client(args);
    EXPECT_EQ(r.exit_code, 1) << r.Describe();
    EXPECT_THAT(r.err, HasSubstr("INVALID_ARGUMENT")) << r.Describe();
    EXPECT_THAT(r.err, HasSubstr(bad.field)) << r.Describe();
    EXPECT_THAT(r.out, IsEmpty()) << r.Describe();
  }

  // Usage errors are refused before anything is sent (exit 2).
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"screen", "--amount=lots", "--bank=VCB",
                                 "--account=1023456789"},
        std::vector<std::string>{"screen", "--bank=VCB", "--acount=1023456789"},
        std::vector<std::string>{"screen", "--format=xml", "--bank=VCB",
                                 "--account=1023456789"},
        std::vector<std::string>{"screen", "--channel=PIGEON", "--bank=VCB",
                                 "--account=1023456789"},
        std::vector<std::string>{"screen", "--bank=VCB", "--account=1023456789",
                                 "--contact=TELEGRAM:@x"},
        // An account with spaces not quoted: never screen "1023" alone.
        std::vector<std::string>{"screen", "--bank", "VCB", "--account", "1023",
                                 "456", "789"},
        std::vector<std::string>{"entity", "--value=1023456789"},
        std::vector<std::string>{"import"},
        std::vector<std::string>{"import", "a.csv", "b.csv"}}) {
    ProcessResult r = Client(args);
    EXPECT_EQ(r.exit_code, 2) << r.Describe();
    EXPECT_THAT(r.err, Not(IsEmpty())) << r.Describe();
  }

  // Delisting and looking up need what they need.
  ProcessResult no_reason = Client(
      {"delist", "--kind=BANK_ACCOUNT", "--issuer=VCB", "--value=1023456789"});
  EXPECT_EQ(no_reason.exit_code, 1) << no_reason.Describe();
  EXPECT_THAT(no_reason.err, HasSubstr("INVALID_ARGUMENT"));
  EXPECT_THAT(no_reason.err, HasSubstr("reason"));
  ProcessResult unlisted =
      Client({"delist", "--kind=PHONE", "--value=0987654321", "--reason=x",
              "--reference=y"});
  EXPECT_EQ(unlisted.exit_code, 1) << unlisted.Describe();
  EXPECT_THAT(unlisted.err, HasSubstr("NOT_FOUND"));
  ProcessResult unknown =
      Client({"entity", "--kind=PHONE", "--value=0987654321"});
  EXPECT_EQ(unknown.exit_code, 1) << unknown.Describe();
  EXPECT_THAT(unknown.err, HasSubstr("NOT_FOUND"));
  ProcessResult bad_phone = Client({"entity", "--kind=PHONE", "--value=12345"});
  EXPECT_EQ(bad_phone.exit_code, 1) << bad_phone.Describe();
  EXPECT_THAT(bad_phone.err, HasSubstr("INVALID_ARGUMENT"));

  // Broken CSVs: every line of them is bad, so nothing may be stored.
  const std::string d = RecentDate();
  struct BadCsv {
    std::string name;
    std::string content;
    std::vector<std::string> want_in_stderr;
  };
  const BadCsv bad_csvs[] = {
      {"unterminated.csv",
       absl::StrCat(kHeader, "R1,A,", d,
                    ",OTHER,CONFIRMED,PHONE,,\"0912,1,2,x\n"),
       {"line 2: ", "unterminated"}},
      {"quote.csv",
       absl::StrCat(kHeader, "R1,A,", d,
                    ",OTHER,CONFIRMED,PHONE,,ab\"c,1,2,x\n", "R2,A,", d,
                    ",OTHER,CONFIRMED,PHONE,,\"0912345678\"9,1,2,x\n"),
       {"line 2: ", "line 3: ", "quote"}},
      {"columns.csv",
       absl::StrCat(kHeader, "R1,A,", d,
                    ",OTHER,CONFIRMED,PHONE,,0912345678,1,2\n", "R2,A,", d,
                    ",OTHER,CONFIRMED,PHONE,,0912,345,678,1,2,x\n"),
       {"line 2: ", "line 3: ", "columns"}},
      {"dates.csv",
       absl::StrCat(kHeader,
                    "R1,A,2024-13-01,OTHER,CONFIRMED,PHONE,,0912345678,1,2,x\n",
                    "R2,A,05/12/2024,OTHER,CONFIRMED,PHONE,,0912345679,1,2,x\n",
                    "R3,A,,OTHER,CONFIRMED,PHONE,,0912345670,1,2,x\n"),
       {"line 2: reported_at", "line 3: reported_at", "line 4: reported_at",
        "2024-13-01", "05/12/2024"}},
      {"enums.csv",
       absl::StrCat(kHeader, "R1,A,", d,
                    ",FRAUD,CONFIRMED,PHONE,,0912345678,1,2,x\n", "R2,A,", d,
                    ",OTHER,SURE,PHONE,,0912345678,1,2,x\n", "R3,A,", d,
                    ",OTHER,CONFIRMED,FAX,,0912345678,1,2,x\n", "R4,A,", d,
                    ",OTHER,CONFIRMED,PHONE,,0912345678,-3,2,x\n"),
       {"line 2: category", "line 3: confidence", "line 4: kind",
        "line 5: victim_count"}},
      // Good rows around a bad one: the whole report is held back.
      {"partial.csv",
       absl::StrCat(kHeader, "R9,A,", d,
                    ",OTHER,CONFIRMED,PHONE,,0911000001,1,2,x\n", "R9,A,", d,
                    ",OTHER,CONFIRMED,PHONE,,09110\"00002,1,2,x\n", "R9,A,",
                    "2024-12-32,OTHER,CONFIRMED,PHONE,,0911000003,1,2,x\n"),
       {"line 3: ", "line 4: reported_at"}},
      // Rows the server refuses (it normalizes): the report is rejected whole,
      // its good identifier is not stored either.
      {"server_rejects.csv",
       absl::StrCat(kHeader, "R8,A,", d,
                    ",OTHER,CONFIRMED,PHONE,,0911000004,1,2,x\n", "R8,A,", d,
                    ",OTHER,CONFIRMED,BANK_ACCOUNT,NOPEBANK,123456789,1,2,x\n",
                    "R7,A,", d, ",OTHER,CONFIRMED,PHONE,,12345,1,2,x\n"),
       {"line 2: report R8 rejected", "line 4: report R7 rejected"}},
      {"header.csv", "reportid;agency;date\nR1;A;2024-12-01\n", {"line 1"}},
  };
  for (const BadCsv& bad : bad_csvs) {
    WriteFile(dir_.File(bad.name), bad.content);
    ProcessResult r = Client({"import", dir_.File(bad.name)});
    EXPECT_EQ(r.exit_code, 1) << r.Describe();
    for (const std::string& want : bad.want_in_stderr) {
      EXPECT_THAT(r.err, HasSubstr(want)) << r.Describe();
    }
    EXPECT_THAT(r.out, Not(HasSubstr("reports accepted 1"))) << r.Describe();
  }
  ProcessResult missing = Client({"import", dir_.File("no-such-file.csv")});
  EXPECT_EQ(missing.exit_code, 1) << missing.Describe();
  EXPECT_THAT(missing.err, HasSubstr("no-such-file.csv"));

  // Nothing changed: same list version, same answers, server still up.
  ASSERT_TRUE(server_->Alive()) << server_->Log();
  EXPECT_EQ(ListVersion(), version);
  for (size_t i = 0; i < Screenings().size(); ++i) {
    const v1::ScreenTransferResponse after = Screen(Screenings()[i]);
    const std::string what = absl::StrJoin(Screenings()[i], " ");
    EXPECT_EQ(after.decision(), before[i].decision()) << what;
    EXPECT_EQ(after.score(), before[i].score()) << what;
    EXPECT_EQ(Codes(after), Codes(before[i])) << what;
  }
  for (const std::string phone :
       {"0911000001", "0911000003", "0911000004", "0912345678"}) {
    EXPECT_EQ(Screen({"--phone=" + phone}).decision(), v1::DECISION_ALLOW)
        << phone << " was stored from a rejected report";
  }
  EXPECT_TRUE(server_->Alive()) << server_->Log();
}

// h. Help and usage.

TEST(CliHelpTest, HelpListsSubcommandsAndFlags) {
  ProcessResult help = RunFraudgate({"help"});
  EXPECT_EQ(help.exit_code, 0) << help.Describe();
  for (const char* sub :
       {"serve", "screen", "import", "entity", "delist", "hits"}) {
    EXPECT_THAT(help.out, HasSubstr(absl::StrCat("  ", sub, " "))) << sub;
  }
  EXPECT_EQ(RunFraudgate({"--help"}).exit_code, 0);

  ProcessResult screen = RunFraudgate({"screen", "--help"});
  EXPECT_EQ(screen.exit_code, 0) << screen.Describe();
  for (const char* flag :
       {"--server=", "--insecure", "--format=", "--transfer-id=", "--amount=",
        "--bank=", "--account=", "--phone=", "--memo=", "--contact="}) {
    EXPECT_THAT(screen.out, HasSubstr(flag)) << flag;
  }
  EXPECT_THAT(screen.out, HasSubstr("usage: fraudgate screen"));

  for (const char* sub : {"serve", "import", "entity", "delist", "hits"}) {
    ProcessResult r = RunFraudgate({sub, "--help"});
    EXPECT_EQ(r.exit_code, 0) << r.Describe();
    EXPECT_THAT(r.out, HasSubstr(absl::StrCat("usage: fraudgate ", sub)));
  }
  ProcessResult serve = RunFraudgate({"serve", "--help"});
  EXPECT_THAT(serve.out, HasSubstr("--data="));
  EXPECT_THAT(serve.out, HasSubstr("--listen="));
}

TEST(CliHelpTest, UsageErrorsExitTwo) {
  ProcessResult unknown = RunFraudgate({"screem"});
  EXPECT_EQ(unknown.exit_code, 2) << unknown.Describe();
  EXPECT_THAT(unknown.err, HasSubstr("screem"));
  EXPECT_THAT(unknown.err, HasSubstr("fraudgate help"));

  EXPECT_EQ(RunFraudgate({}).exit_code, 2);

  ProcessResult flag = RunFraudgate({"screen", "--bogus=1"});
  EXPECT_EQ(flag.exit_code, 2) << flag.Describe();
  EXPECT_THAT(flag.err, HasSubstr("--bogus"));

  // Without --insecure a client needs its TLS files, and says which.
  ProcessResult tls = RunFraudgate({"screen", "--server=127.0.0.1:1",
                                    "--tls-dir=/nonexistent/certs",
                                    "--bank=VCB", "--account=1023456789"});
  EXPECT_EQ(tls.exit_code, 2) << tls.Describe();
  EXPECT_THAT(tls.err, HasSubstr("/nonexistent/certs/ca.pem"));
  EXPECT_THAT(tls.err, HasSubstr("dev-certs.sh"));
}

TEST(CliServeTest, NoServerMeansFailureNotAllow) {
  // No server: the screen fails loudly, it never prints a decision. The port
  // is bound but not listening, so it refuses connections and no other test
  // can take it meanwhile.
  const int sock = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(sock, 0);
  sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(sock, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(getsockname(sock, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  ProcessResult r = RunFraudgate(
      {"screen", absl::StrCat("--server=127.0.0.1:", ntohs(addr.sin_port)),
       "--insecure", "--timeout=5", "--bank=VCB", "--account=1023456789"});
  close(sock);
  EXPECT_EQ(r.exit_code, 1) << r.Describe();
  EXPECT_THAT(r.err, HasSubstr("UNAVAILABLE")) << r.Describe();
  EXPECT_THAT(r.out, IsEmpty()) << r.Describe();
}

TEST(CliServeTest, ServeRefusesAnUnusableDataDir) {
  testing::TempDir dir;
  WriteFile(dir.File("not-a-dir"), "x");
  int out[2];
  ASSERT_EQ(pipe2(out, O_CLOEXEC), 0);
  auto pid =
      testing::Spawn(FRAUDGATE_BIN,
                     {"serve", "--data=" + dir.File("not-a-dir") + "/data",
                      "--listen=127.0.0.1:0", "--insecure"},
                     out[1], -1, dir.File("serve.log"));
  close(out[1]);
  ASSERT_TRUE(pid.ok()) << pid.status();
  const int code = testing::WaitFor(*pid, absl::Seconds(15));
  close(out[0]);
  EXPECT_EQ(code, 1);
  std::ifstream log(dir.File("serve.log"));
  std::stringstream text;
  text << log.rdbuf();
  EXPECT_THAT(text.str(), HasSubstr("cannot open data dir"));
}

TEST(CliServeTest, ServeRefusesBadOptionsBeforeTouchingTheDataDir) {
  testing::TempDir dir;
  const std::string data = dir.File("data");
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"serve", "--data=" + data, "--listen=0.0.0.0:0", "--insecure"},
       "loopback"},
      // Mutual TLS is the default: without --insecure it needs its files.
      {{"serve", "--data=" + data, "--listen=127.0.0.1:0",
        "--tls-dir=" + dir.File("no-certs")},
       "tls-dir: cannot read"},
  };
  for (const Case& c : cases) {
    ProcessResult r = RunFraudgate(c.args);
    EXPECT_EQ(r.exit_code, 2) << r.Describe();
    EXPECT_THAT(r.err, HasSubstr(c.message)) << r.Describe();
  }
  EXPECT_FALSE(std::filesystem::exists(data));
}

TEST(CliServeTest, InvalidConfigFileIsRefusedWithLineAndField) {
  testing::TempDir dir;
  WriteFile(dir.File("fraudgate.conf"),
            "server { listen: \"127.0.0.1:0\" }\nscoring {\n  "
            "block_threshold: 20\n}\n");
  ProcessResult r =
      RunFraudgate({"serve", "--data=" + dir.File("data"), "--insecure",
                    "--config=" + dir.File("fraudgate.conf")});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  EXPECT_THAT(r.err, HasSubstr("fraudgate.conf:3: scoring.block_threshold"))
      << r.Describe();
  EXPECT_FALSE(std::filesystem::exists(dir.File("data")));
}

}  // namespace
}  // namespace fraudgate
