// The anti-probing signal on a real server: a caller screening many distinct
// never-before-screened beneficiaries raises fraudgate_probe_alerts_total on
// the HTTP port's /metrics (scraped and parsed) and logs one
// `probe_suspected` line; the server's whole log carries no beneficiary
// account number in clear. Repeat screenings of known payees raise nothing.
#include <memory>
#include <sstream>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/time/clock.h"
#include "core/text.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_server.h"

namespace fraudgate {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// The value of the sample `name` (with its labels, e.g.
// `x_total{caller="a"}`) in a /metrics body; -1 when absent.
double Sample(const std::string& body, const std::string& name) {
  std::istringstream lines(body);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(name + " ", 0) == 0) {
      double value = 0;
      if (absl::SimpleAtod(line.substr(name.size() + 1), &value)) return value;
    }
  }
  return -1;
}

std::string AccountNumber(int i) { return core::StrCat("77", 100000 + i); }

class AntiProbingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    service::ServerOptions options;
    options.http_listen = "127.0.0.1:0";
    options.probes.threshold = 30;
    options.logger = &logger_;
    auto server = testing::TestServer::Start(dir_.path(), std::move(options));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    http_ =
        std::make_unique<httplib::Client>("127.0.0.1", server_->http_port());
  }

  void Screen(const std::string& transfer_id, const std::string& account) {
    v1::ScreenTransferRequest request;
    request.set_transfer_id(transfer_id);
    request.set_amount(500'000);
    request.mutable_beneficiary()->set_bank("VCB");
    request.mutable_beneficiary()->set_account(account);
    v1::ScreenTransferResponse response;
    grpc::ClientContext context;
    const grpc::Status s =
        server_->screening().ScreenTransfer(&context, request, &response);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  std::string Scrape() {
    httplib::Result result = http_->Get("/metrics");
    EXPECT_TRUE(result) << httplib::to_string(result.error());
    if (!result) return "";
    EXPECT_EQ(result->status, 200);
    EXPECT_THAT(result->get_header_value("Content-Type"),
                HasSubstr("text/plain; version=0.0.4"));
    return result->body;
  }

  testing::TempDir dir_;
  std::ostringstream log_;
  service::Logger logger_{&log_};
  std::unique_ptr<testing::TestServer> server_;
  std::unique_ptr<httplib::Client> http_;
};

TEST_F(AntiProbingTest, ManyNovelBeneficiariesRaiseTheMetricAndOneLogLine) {
  const std::string alerts =
      R"(fraudgate_probe_alerts_total{caller="admin/insecure"})";
  const std::string novel =
      R"(fraudgate_novel_beneficiaries_total{caller="admin/insecure"})";
  // Known payees, screened again and again: not a probe.
  for (int round = 0; round < 10; ++round) {
    for (int i = 0; i < 5; ++i) {
      Screen(core::StrCat("pay-", round, "-", i), AccountNumber(i));
    }
  }
  std::string body = Scrape();
  EXPECT_EQ(Sample(body, novel), 5) << body;
  EXPECT_EQ(Sample(body, alerts), 0) << body;

  // An enumeration: 40 accounts never screened before.
  for (int i = 100; i < 140; ++i) {
    Screen(core::StrCat("probe-", i), AccountNumber(i));
  }
  body = Scrape();
  EXPECT_EQ(Sample(body, novel), 45) << body;
  EXPECT_EQ(Sample(body, alerts), 1) << body;
  // The last call leaves flight just after its answer: poll a little.
  for (int i = 0; i < 50 && Sample(body, "fraudgate_in_flight_calls") != 0;
       ++i) {
    absl::SleepFor(absl::Milliseconds(100));
    body = Scrape();
  }
  EXPECT_EQ(Sample(body, "fraudgate_in_flight_calls"), 0) << body;
  EXPECT_EQ(Sample(body, "fraudgate_list_version"), 0) << body;

  const std::string log = log_.str();
  EXPECT_THAT(log, HasSubstr("\"event\":\"probe_suspected\""));
  EXPECT_THAT(log, HasSubstr("\"novel_beneficiaries\":30"));
  EXPECT_THAT(log, HasSubstr("BANK_ACCOUNT:970436:*****"));
  for (int i : {0, 4, 100, 125, 129, 139}) {
    EXPECT_THAT(log, Not(HasSubstr(AccountNumber(i)))) << i;
  }
}

}  // namespace
}  // namespace fraudgate
