// ScreeningService against a real server on port 0 over a real RocksDB.
#include <string>
#include <thread>

#include "core/text.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/fault_env.h"
#include "tests/testing/proto_printer.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_server.h"

namespace fraudgate {
namespace {

using ::testing::HasSubstr;
using testing::MakeIdentifier;
using testing::MakeReport;
using ::testing::SizeIs;

class ScreeningServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Start();
    auto summary = testing::Upload(
        server_->reports(),
        {MakeReport(
             "R1", "PA05-CA Kon Tum", v1::EXTORTION_DEEPFAKE, v1::CONFIRMED,
             {MakeIdentifier(v1::BANK_ACCOUNT, "970436", "0071001234567"),
              MakeIdentifier(v1::PHONE, "", "0329123456")}),
         MakeReport(
             "R2", "PA05-CA Ha Noi", v1::INVESTMENT_SCAM, v1::SUSPECTED,
             {MakeIdentifier(v1::BANK_ACCOUNT, "*", "88889999"),
              MakeIdentifier(v1::CHAT_HANDLE, "TELEGRAM", "@lua_dao_vip")}),
         MakeReport("R3", "A05-BCA", v1::EXTORTION_OTHER, v1::SUSPECTED,
                    {MakeIdentifier(v1::PHONE, "", "0912345678")})});
    ASSERT_TRUE(summary.ok()) << summary.status();
    ASSERT_EQ(summary->reports_accepted(), 3);
  }

  void Start() {
    auto server = testing::TestServer::Start(dir_.path(), {}, env_);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }

  grpc::Status Screen(const v1::ScreenTransferRequest& request,
                      v1::ScreenTransferResponse* response) {
    grpc::ClientContext context;
    return server_->screening().ScreenTransfer(&context, request, response);
  }

  static v1::ScreenTransferRequest Transfer(const std::string& id,
                                            const std::string& bank,
                                            const std::string& account) {
    v1::ScreenTransferRequest r;
    r.set_transfer_id(id);
    r.set_amount(2'000'000);
    r.mutable_beneficiary()->set_bank(bank);
    r.mutable_beneficiary()->set_account(account);
    return r;
  }

  rocksdb::Env* env_ = nullptr;
  testing::TempDir dir_;
  std::unique_ptr<testing::TestServer> server_;
};

TEST_F(ScreeningServiceTest, ListedAccountWrittenAnotherWayIsBlocked) {
  v1::ScreenTransferResponse response;
  ASSERT_TRUE(
      Screen(Transfer("t1", "vietcombank", "0071 0012-34567"), &response).ok());
  EXPECT_EQ(response.decision(), v1::DECISION_BLOCK);
  EXPECT_EQ(response.score(), 90);
  ASSERT_THAT(response.reasons(), SizeIs(1));
  EXPECT_EQ(response.reasons(0).code(), "BENEFICIARY_ACCOUNT_LISTED");
  EXPECT_EQ(response.reasons(0).identifier().issuer(), "970436");
  EXPECT_EQ(response.reasons(0).identifier().value(), "0071001234567");
  EXPECT_EQ(response.reasons(0).categories(0), v1::EXTORTION_DEEPFAKE);
  EXPECT_THAT(response.customer_message(), HasSubstr("deepfake"));
  EXPECT_THAT(response.customer_message(), HasSubstr("113"));
  // Three reports in one upload are one committed batch: one version.
  EXPECT_EQ(response.list_version(), 1u);
  EXPECT_EQ(response.transfer_id(), "t1");
  EXPECT_EQ(response.hit_id().size(), 24u);
}

TEST_F(ScreeningServiceTest, LargeAmountAddsBoost) {
  auto request = Transfer("t-big", "VCB", "0071001234567");
  request.set_amount(50'000'000);
  v1::ScreenTransferResponse response;
  ASSERT_TRUE(Screen(request, &response).ok());
  EXPECT_EQ(response.score(), 95);
}

TEST_F(ScreeningServiceTest, LegacyPhoneFormIsFlagged) {
  auto request = Transfer("t2", "TCB", "19031234567890");
  request.mutable_beneficiary()->set_phone("0162 912 3456");
  v1::ScreenTransferResponse response;
  ASSERT_TRUE(Screen(request, &response).ok());
  EXPECT_EQ(response.decision(), v1::DECISION_HOLD);  // phone CONFIRMED: 80
  ASSERT_THAT(response.reasons(), SizeIs(1));
  EXPECT_EQ(response.reasons(0).code(), "BENEFICIARY_PHONE_LISTED");
  EXPECT_EQ(response.reasons(0).identifier().value(), "+84329123456");
}

TEST_F(ScreeningServiceTest, NumberListedForAnyBankMatchesEveryBank) {
  v1::ScreenTransferResponse response;
  ASSERT_TRUE(Screen(Transfer("t3", "MB", "8888 9999"), &response).ok());
  EXPECT_EQ(response.decision(), v1::DECISION_WARN);  // SUSPECTED: 45
  ASSERT_THAT(response.reasons(), SizeIs(1));
  EXPECT_EQ(response.reasons(0).code(), "BENEFICIARY_ACCOUNT_NUMBER_LISTED");
  EXPECT_EQ(response.reasons(0).points(), 45);
}

TEST_F(ScreeningServiceTest, ContactsAndMemoAreScreened) {
  auto request = Transfer("t4", "ACB", "123456789");
  *request.add_contacts() =
      MakeIdentifier(v1::CHAT_HANDLE, "", "https://t.me/Lua_Dao_VIP");
  request.set_memo("chuyen gap cho so 0912.345.678 nhe");
  v1::ScreenTransferResponse response;
  ASSERT_TRUE(Screen(request, &response).ok());
  ASSERT_THAT(response.reasons(), SizeIs(2));
  EXPECT_EQ(response.reasons(0).code(), "CONTACT_LISTED");  // SUSPECTED: 50
  EXPECT_EQ(response.reasons(0).points(), 50);
  EXPECT_EQ(response.reasons(1).code(), "MEMO_IDENTIFIER_LISTED");
  EXPECT_EQ(response.reasons(1).identifier().value(), "+84912345678");
  EXPECT_EQ(response.decision(), v1::DECISION_WARN);
}

TEST_F(ScreeningServiceTest, PhoneAliasAccountIsCheckedAsPhone) {
  v1::ScreenTransferResponse response;
  ASSERT_TRUE(Screen(Transfer("t5", "MB", "0329123456"), &response).ok());
  ASSERT_THAT(response.reasons(), SizeIs(1));
  EXPECT_EQ(response.reasons(0).code(), "BENEFICIARY_PHONE_LISTED");
}

TEST_F(ScreeningServiceTest, UnknownAccountIsAllowedAndRecorded) {
  v1::ScreenTransferResponse response;
  ASSERT_TRUE(Screen(Transfer("t6", "BIDV", "1234567890"), &response).ok());
  EXPECT_EQ(response.decision(), v1::DECISION_ALLOW);
  EXPECT_EQ(response.score(), 0);
  EXPECT_THAT(response.reasons(), SizeIs(0));
  EXPECT_EQ(response.customer_message(), "");
  auto hit = server_->store().hits().Get(response.hit_id());
  ASSERT_TRUE(hit.ok());
  ASSERT_TRUE(hit->has_value());
  EXPECT_EQ((*hit)->hit().decision(), v1::DECISION_ALLOW);
  // Matched nothing: the beneficiary is not kept in clear.
  EXPECT_FALSE((*hit)->hit().has_beneficiary());
}

TEST_F(ScreeningServiceTest, DelistedIdentifierIsAllowed) {
  v1::DelistEntityRequest delist;
  *delist.mutable_identifier() =
      MakeIdentifier(v1::BANK_ACCOUNT, "VCB", "0071001234567");
  delist.set_reason("wrong account in report");
  delist.set_reference("CV-123/PA05");
  v1::Entity entity;
  grpc::ClientContext context;
  ASSERT_TRUE(server_->reports().DelistEntity(&context, delist, &entity).ok());
  v1::ScreenTransferResponse response;
  ASSERT_TRUE(Screen(Transfer("t7", "VCB", "0071001234567"), &response).ok());
  EXPECT_EQ(response.decision(), v1::DECISION_ALLOW);
  EXPECT_EQ(response.list_version(), 2u);
}

TEST_F(ScreeningServiceTest, RepeatedTransferIdReturnsRecordedResult) {
  v1::ScreenTransferResponse first, second;
  ASSERT_TRUE(Screen(Transfer("dup", "VCB", "0071001234567"), &first).ok());
  // Same id, different content: the recorded result comes back unchanged.
  ASSERT_TRUE(Screen(Transfer("dup", "BIDV", "1234567890"), &second).ok());
  EXPECT_EQ(second.hit_id(), first.hit_id());
  EXPECT_EQ(second.decision(), v1::DECISION_BLOCK);
  EXPECT_EQ(second.customer_message(), first.customer_message());
}

TEST_F(ScreeningServiceTest, ConcurrentRepeatsRecordOneHit) {
  std::vector<std::string> ids(8);
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      v1::ScreenTransferResponse r;
      if (Screen(Transfer("race", "VCB", "0071001234567"), &r).ok()) {
        ids[i] = r.hit_id();
      }
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& id : ids) EXPECT_EQ(id, ids[0]);
  EXPECT_FALSE(ids[0].empty());
}

struct BadRequestCase {
  std::string name;
  std::function<void(v1::ScreenTransferRequest*)> mutate;
  std::string field;
};

TEST_F(ScreeningServiceTest, BadInputIsInvalidArgumentNamingTheField) {
  const std::vector<BadRequestCase> cases = {
      {"empty transfer_id", [](auto* r) { r->clear_transfer_id(); },
       "transfer_id"},
      {"long transfer_id",
       [](auto* r) { r->set_transfer_id(std::string(129, 'x')); },
       "transfer_id"},
      {"negative amount", [](auto* r) { r->set_amount(-1); }, "amount"},
      {"bad currency", [](auto* r) { r->set_currency("dong"); }, "currency"},
      {"unknown bank",
       [](auto* r) { r->mutable_beneficiary()->set_bank("NOT A BANK"); },
       "beneficiary.bank"},
      {"missing bank", [](auto* r) { r->mutable_beneficiary()->clear_bank(); },
       "beneficiary.bank"},
      {"bad account",
       [](auto* r) { r->mutable_beneficiary()->set_account("12#45"); },
       "beneficiary.account"},
      {"no beneficiary", [](auto* r) { r->clear_beneficiary(); },
       "beneficiary"},
      {"bad phone",
       [](auto* r) { r->mutable_beneficiary()->set_phone("09x1234567"); },
       "beneficiary.phone"},
      {"10 KB memo", [](auto* r) { r->set_memo(std::string(10240, 'a')); },
       "memo"},
      {"contact without kind",
       [](auto* r) { r->add_contacts()->set_value("0912345678"); },
       "contacts[0].kind"},
      {"contact bad platform",
       [](auto* r) {
         *r->add_contacts() = MakeIdentifier(v1::CHAT_HANDLE, "ICQ", "x");
       },
       "contacts[0].issuer"},
  };
  const uint64_t version = server_->store().blocklist().list_version();
  for (const auto& c : cases) {
    auto request =
        Transfer(core::StrCat("bad-", c.name), "VCB", "0071001234567");
    c.mutate(&request);
    v1::ScreenTransferResponse response;
    grpc::Status s = Screen(request, &response);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.name;
    EXPECT_THAT(s.error_message(), ::testing::StartsWith(c.field + ":"))
        << c.name;
  }
  EXPECT_EQ(server_->store().blocklist().list_version(), version);
  // Nothing was recorded for the rejected requests.
  auto page = server_->store().hits().Query({});
  ASSERT_TRUE(page.ok());
  EXPECT_THAT(page->hits, SizeIs(0));
}

TEST_F(ScreeningServiceTest, BatchAnswersInOrderWithPerItemErrors) {
  v1::ScreenTransfersRequest batch;
  *batch.add_transfers() = Transfer("b1", "VCB", "0071001234567");
  auto bad = Transfer("b2", "VCB", "0071001234567");
  bad.set_amount(-5);
  *batch.add_transfers() = bad;
  *batch.add_transfers() = Transfer("b3", "BIDV", "1234567890");
  v1::ScreenTransfersResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(
      server_->screening().ScreenTransfers(&context, batch, &response).ok());
  ASSERT_THAT(response.results(), SizeIs(3));
  EXPECT_EQ(response.results(0).response().decision(), v1::DECISION_BLOCK);
  EXPECT_FALSE(response.results(0).has_error());
  EXPECT_EQ(response.results(1).error().code(),
            static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_THAT(response.results(1).error().message(),
              HasSubstr("transfers[1].amount"));
  EXPECT_FALSE(response.results(1).has_response());
  EXPECT_EQ(response.results(2).response().decision(), v1::DECISION_ALLOW);
}

TEST_F(ScreeningServiceTest, BatchOverLimitIsRejected) {
  v1::ScreenTransfersRequest batch;
  for (int i = 0; i < 1001; ++i) {
    *batch.add_transfers() = Transfer(core::StrCat("x", i), "VCB", "1234");
  }
  v1::ScreenTransfersResponse response;
  grpc::ClientContext context;
  grpc::Status s =
      server_->screening().ScreenTransfers(&context, batch, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("transfers"));
}

TEST_F(ScreeningServiceTest, RestartKeepsAnswersAndListVersion) {
  v1::ScreenTransferResponse before;
  ASSERT_TRUE(Screen(Transfer("r1", "VCB", "0071001234567"), &before).ok());
  server_.reset();
  Start();
  v1::ScreenTransferResponse after, repeat;
  ASSERT_TRUE(Screen(Transfer("r2", "VCB", "0071001234567"), &after).ok());
  EXPECT_EQ(after.decision(), before.decision());
  EXPECT_EQ(after.score(), before.score());
  EXPECT_EQ(after.list_version(), before.list_version());
  ASSERT_TRUE(Screen(Transfer("r1", "BIDV", "12345678"), &repeat).ok());
  EXPECT_EQ(repeat.hit_id(), before.hit_id());
}

class ScreeningFaultTest : public ScreeningServiceTest {
 protected:
  void SetUp() override {
    env_ = &fault_env_;
    ScreeningServiceTest::SetUp();
  }
  // The database must close before the Env it writes through is destroyed.
  void TearDown() override { server_.reset(); }
  testing::FaultEnv fault_env_;
};

TEST_F(ScreeningFaultTest, HitWriteFailureIsUnavailableNeverAllow) {
  fault_env_.FailWrites(true);
  for (const auto& [id, account] :
       {std::pair{"f1", "0071001234567"}, std::pair{"f2", "1234567890"}}) {
    v1::ScreenTransferResponse response;
    grpc::Status s = Screen(Transfer(id, "VCB", account), &response);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << id;
    EXPECT_EQ(response.decision(), v1::DECISION_UNSPECIFIED) << id;
  }
}

TEST_F(ScreeningFaultTest, LookupFailureIsUnavailableNeverAllow) {
  // Move the list into SST files, then fail every file read. (An identifier
  // the bloom filter rules out needs no read, and is rightly answered.)
  server_.reset();
  Start();
  server_.reset();
  Start();
  fault_env_.FailReads(true);
  v1::ScreenTransferResponse response;
  grpc::Status s = Screen(Transfer("g1", "VCB", "0071001234567"), &response);
  fault_env_.FailReads(false);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
  EXPECT_THAT(s.error_message(), HasSubstr("injected read fault"));
}

// The benchmark baseline (bench/compare.sh): the same server with an empty
// ScreenTransfer handler answers at once, checks nothing and records nothing.
TEST(EmptyHandlerTest, AnswersAtOnceAndRecordsNothing) {
  testing::TempDir dir;
  service::ServerOptions options;
  options.empty_screening_handler = true;
  auto server = testing::TestServer::Start(dir.path(), std::move(options));
  ASSERT_TRUE(server.ok()) << server.status();
  v1::ScreenTransferRequest request;  // not even valid
  v1::ScreenTransferResponse response;
  grpc::ClientContext context;
  const grpc::Status s =
      (*server)->screening().ScreenTransfer(&context, request, &response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(response.decision(), v1::DECISION_UNSPECIFIED);
  EXPECT_EQ(response.hit_id(), "");
  v1::QueryHitsResponse hits;
  grpc::ClientContext query;
  ASSERT_TRUE((*server)
                  ->history()
                  .QueryHits(&query, v1::QueryHitsRequest(), &hits)
                  .ok());
  EXPECT_EQ(hits.hits_size(), 0);
}

}  // namespace
}  // namespace fraudgate
