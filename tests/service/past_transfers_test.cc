// FindPastTransfers: earlier screenings of a beneficiary, found through the
// keyed-hash index, including ALLOWed ones from before it was reported —
// while the data dir keeps no plain identifier of a screening that matched
// nothing.
#include <filesystem>
#include <fstream>
#include <iterator>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/proto_printer.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_server.h"

namespace fraudgate {
namespace {

using testing::MakeIdentifier;
using testing::MakeReport;

// True when any file under `dir` contains `needle`.
bool AnyFileContains(const std::string& dir, const std::string& needle) {
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)),
                            std::istreambuf_iterator<char>());
    if (bytes.find(needle) != std::string::npos) return true;
  }
  return false;
}

class PastTransfersTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(); }
  void Start() {
    server_.reset();
    auto server = testing::TestServer::Start(dir_.path());
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }

  v1::ScreenTransferResponse Screen(const std::string& id,
                                    const std::string& bank,
                                    const std::string& account) {
    v1::ScreenTransferRequest r;
    r.set_transfer_id(id);
    r.set_amount(15'000'000);
    r.mutable_beneficiary()->set_bank(bank);
    r.mutable_beneficiary()->set_account(account);
    v1::ScreenTransferResponse response;
    grpc::ClientContext context;
    EXPECT_TRUE(
        server_->screening().ScreenTransfer(&context, r, &response).ok());
    return response;
  }

  v1::QueryHitsResponse Past(const v1::Identifier& id, int page_size = 0,
                             const std::string& token = "") {
    v1::FindPastTransfersRequest request;
    *request.mutable_identifier() = id;
    request.set_page_size(page_size);
    request.set_page_token(token);
    v1::QueryHitsResponse response;
    grpc::ClientContext context;
    grpc::Status s =
        server_->history().FindPastTransfers(&context, request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return response;
  }

  testing::TempDir dir_;
  std::unique_ptr<testing::TestServer> server_;
};

TEST_F(PastTransfersTest, FindsAllowedTransfersMadeBeforeTheAccountWasListed) {
  const auto first = Screen("before-1", "VCB", "3141 0001 234567");
  const auto second = Screen("before-2", "vietcombank", "31410001234567");
  Screen("other", "VCB", "99990001234567");
  ASSERT_EQ(first.decision(), v1::DECISION_ALLOW);

  // Nothing in the data dir names the unlisted account in clear.
  server_.reset();  // flush and close
  EXPECT_FALSE(AnyFileContains(dir_.path(), "31410001234567"));
  EXPECT_TRUE(std::filesystem::exists(dir_.File("beneficiary-hmac.key")));
  ASSERT_NO_FATAL_FAILURE(Start());

  // Police report the account; analysts look for who already paid it.
  ASSERT_TRUE(
      testing::Upload(
          server_->reports(),
          {MakeReport(
              "R1", "A05-BCA", v1::EXTORTION_DEEPFAKE, v1::CONFIRMED,
              {MakeIdentifier(v1::BANK_ACCOUNT, "970436", "31410001234567")})})
          .ok());
  const auto after = Screen("after", "VCB", "31410001234567");
  EXPECT_EQ(after.decision(), v1::DECISION_BLOCK);

  auto past = Past(MakeIdentifier(v1::BANK_ACCOUNT, "VCB", "3141-0001-234567"));
  ASSERT_EQ(past.hits_size(), 3);  // newest first
  EXPECT_EQ(past.hits(0).transfer_id(), "after");
  EXPECT_EQ(past.hits(1).transfer_id(), "before-2");
  EXPECT_EQ(past.hits(1).hit_id(), second.hit_id());
  EXPECT_EQ(past.hits(2).transfer_id(), "before-1");
  EXPECT_EQ(past.hits(2).decision(), v1::DECISION_ALLOW);
  EXPECT_EQ(past.hits(2).amount(), 15'000'000);
  EXPECT_EQ(past.hits(2).beneficiary().value(), "31410001234567");

  // The same number at any bank ("*") finds them too; another account not.
  EXPECT_EQ(
      Past(MakeIdentifier(v1::BANK_ACCOUNT, "*", "31410001234567")).hits_size(),
      3);
  EXPECT_EQ(Past(MakeIdentifier(v1::BANK_ACCOUNT, "TCB", "31410001234567"))
                .hits_size(),
            0);

  // Pages of one.
  auto page1 =
      Past(MakeIdentifier(v1::BANK_ACCOUNT, "VCB", "31410001234567"), 1);
  ASSERT_EQ(page1.hits_size(), 1);
  auto page2 = Past(MakeIdentifier(v1::BANK_ACCOUNT, "VCB", "31410001234567"),
                    1, page1.next_page_token());
  ASSERT_EQ(page2.hits_size(), 1);
  EXPECT_EQ(page2.hits(0).transfer_id(), "before-2");

  // The dump check sees plain identifiers: the listed account is now stored.
  server_.reset();
  EXPECT_TRUE(AnyFileContains(dir_.path(), "31410001234567"));
}

TEST_F(PastTransfersTest, UploadSummaryCountsPastTransfersToAddedIdentifiers) {
  Screen("a-1", "VCB", "31410001234567");
  Screen("a-2", "TCB", "31410001234567");  // same number, another bank
  Screen("b-1", "MB", "0912345678");       // account = a phone alias
  Screen("c-1", "VCB", "55550001234567");  // never reported

  const v1::Report report =
      MakeReport("R1", "A05-BCA", v1::EXTORTION_DEEPFAKE, v1::CONFIRMED,
                 {MakeIdentifier(v1::BANK_ACCOUNT, "*", "31410001234567"),
                  MakeIdentifier(v1::PHONE, "", "0912 345 678"),
                  MakeIdentifier(v1::CHAT_HANDLE, "TELEGRAM", "@ghost")});
  auto summary = testing::Upload(server_->reports(), {report});
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->identifiers_added(), 3);
  EXPECT_EQ(summary->past_transfers(), 3);
  // Most transfers first; identifiers without any are left out.
  ASSERT_EQ(summary->past_transfers_by_identifier_size(), 2);
  EXPECT_EQ(summary->past_transfers_by_identifier(0).identifier().value(),
            "31410001234567");
  EXPECT_EQ(summary->past_transfers_by_identifier(0).identifier().issuer(),
            "*");
  EXPECT_EQ(summary->past_transfers_by_identifier(0).transfers(), 2);
  EXPECT_EQ(summary->past_transfers_by_identifier(1).identifier().value(),
            "+84912345678");
  EXPECT_EQ(summary->past_transfers_by_identifier(1).transfers(), 1);
  // What the summary counts, FindPastTransfers lists.
  EXPECT_EQ(
      Past(summary->past_transfers_by_identifier(0).identifier()).hits_size(),
      2);

  // A re-upload adds nothing, so it counts nothing.
  auto again = testing::Upload(server_->reports(), {report});
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->reports_unchanged(), 1);
  EXPECT_EQ(again->past_transfers(), 0);
  EXPECT_EQ(again->past_transfers_by_identifier_size(), 0);
}

TEST_F(PastTransfersTest, BadRequestsAreInvalidArgument) {
  v1::FindPastTransfersRequest request;
  v1::QueryHitsResponse response;
  grpc::ClientContext context;
  grpc::Status s =
      server_->history().FindPastTransfers(&context, request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), ::testing::StartsWith("identifier"));
  *request.mutable_identifier() = MakeIdentifier(v1::PHONE, "", "12");
  grpc::ClientContext context2;
  s = server_->history().FindPastTransfers(&context2, request, &response);
  EXPECT_THAT(s.error_message(), ::testing::StartsWith("identifier.value"));
}

}  // namespace
}  // namespace fraudgate
