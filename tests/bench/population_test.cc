// Population: distinct indexes give distinct 12-digit accounts at known
// banks, the listed share is what was asked, and the CSV row of a listed
// beneficiary names exactly its bank and account.
#include "bench/population.h"

#include <set>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraudgate::bench {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;

TEST(PopulationTest, AccountsAreDistinctTwelveDigits) {
  Population p(200'000, 0.01);
  std::set<std::string> seen;
  for (int64_t i = 0; i < p.size(); ++i) {
    const Beneficiary b = p.At(i);
    ASSERT_EQ(b.account.size(), 12u) << i;
    ASSERT_EQ(b.bank.substr(0, 4), "9704") << i;
    ASSERT_TRUE(seen.insert(b.bank + "/" + b.account).second) << i;
  }
  // Large indexes too (the 10M population of bench/compare.sh).
  EXPECT_NE(p.At(9'999'999).account, p.At(9'999'998).account);
  EXPECT_EQ(p.At(12345).account, p.At(12345).account);
}

TEST(PopulationTest, ListedShare) {
  Population p(100'000, 0.01);
  int64_t listed = 0;
  for (int64_t i = 0; i < p.size(); ++i) listed += p.IsListed(i) ? 1 : 0;
  EXPECT_EQ(listed, 1000);
  EXPECT_EQ(p.listed_count(), 1000);
  EXPECT_EQ(Population(100, 0).listed_count(), 0);
  EXPECT_FALSE(Population(100, 0).IsListed(0));
  EXPECT_EQ(Population(100, 1).listed_count(), 100);
}

TEST(PopulationTest, CsvRowListsTheBeneficiary) {
  Population p(1000, 0.5);
  const Beneficiary b = p.At(42);
  const std::string row = p.CsvRow(42);
  EXPECT_THAT(row,
              HasSubstr(",BANK_ACCOUNT," + b.bank + "," + b.account + ","));
  EXPECT_THAT(row, MatchesRegex("BENCH-42,[^\n]*\n"));
  EXPECT_THAT(Population::CsvHeader(),
              HasSubstr("report_id,agency,reported_at,category,confidence,"
                        "kind,issuer,value"));
}

}  // namespace
}  // namespace fraudgate::bench
