#include "cli/flags.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraudgate::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

std::vector<FlagSpec> Specs() {
  return {
      {"server", "127.0.0.1:50051", "server HOST:PORT"},
      {"insecure", "false", "plaintext", /*is_bool=*/true},
      {"amount", "0", "amount in dong"},
      {"memo", "", "transfer memo"},
      {"contact", "", "KIND:ISSUER:VALUE", /*is_bool=*/false,
       /*repeated=*/true},
  };
}

absl::StatusOr<Flags> Parse(const std::vector<std::string>& args) {
  return Flags::Parse(args, Specs());
}

TEST(FlagsTest, NameEqualsValue) {
  auto flags = Parse({"--server=10.0.0.1:9000", "--memo=a=b c"});
  ASSERT_TRUE(flags.ok()) << flags.status();
  EXPECT_EQ(flags->Get("server"), "10.0.0.1:9000");
  // Only the first '=' separates the name from the value.
  EXPECT_EQ(flags->Get("memo"), "a=b c");
  EXPECT_TRUE(flags->Has("server"));
  EXPECT_THAT(flags->positional(), IsEmpty());
}

TEST(FlagsTest, NameSpaceValue) {
  auto flags = Parse({"--server", "10.0.0.1:9000", "--amount", "-5"});
  ASSERT_TRUE(flags.ok()) << flags.status();
  EXPECT_EQ(flags->Get("server"), "10.0.0.1:9000");
  // A value that starts with a single dash is still a value.
  EXPECT_EQ(flags->Get("amount"), "-5");
  EXPECT_THAT(flags->positional(), IsEmpty());
}

TEST(FlagsTest, EmptyValueWithEquals) {
  auto flags = Parse({"--memo="});
  ASSERT_TRUE(flags.ok()) << flags.status();
  EXPECT_TRUE(flags->Has("memo"));
  EXPECT_EQ(flags->Get("memo"), "");
}

TEST(FlagsTest, BoolFlags) {
  auto unset = Parse({});
  ASSERT_TRUE(unset.ok()) << unset.status();
  EXPECT_FALSE(unset->GetBool("insecure"));
  EXPECT_FALSE(unset->Has("insecure"));

  auto bare = Parse({"--insecure"});
  ASSERT_TRUE(bare.ok()) << bare.status();
  EXPECT_TRUE(bare->GetBool("insecure"));
  EXPECT_EQ(bare->Get("insecure"), "true");

  auto yes = Parse({"--insecure=true"});
  ASSERT_TRUE(yes.ok()) << yes.status();
  EXPECT_TRUE(yes->GetBool("insecure"));
  auto no = Parse({"--insecure=false"});
  ASSERT_TRUE(no.ok()) << no.status();
  EXPECT_FALSE(no->GetBool("insecure"));
  // Anything else is refused rather than silently read as false.
  for (const char* bad : {"--insecure=1", "--insecure=yes", "--insecure=TRUE",
                          "--insecure=maybe", "--insecure="}) {
    auto flags = Parse({bad});
    ASSERT_FALSE(flags.ok()) << bad;
    EXPECT_THAT(flags.status().message(), HasSubstr("--insecure")) << bad;
  }
}

TEST(FlagsTest, BareBoolDoesNotTakeTheNextArgument) {
  auto flags = Parse({"--insecure", "file.csv"});
  ASSERT_TRUE(flags.ok()) << flags.status();
  EXPECT_TRUE(flags->GetBool("insecure"));
  EXPECT_THAT(flags->positional(), ElementsAre("file.csv"));
}

TEST(FlagsTest, RepeatedFlagKeepsEveryValueInOrder) {
  auto flags = Parse({"--contact=PHONE::0912345678", "--contact",
                      "CHAT_HANDLE:TELEGRAM:@x", "--contact=EWALLET:MOMO:1"});
  ASSERT_TRUE(flags.ok()) << flags.status();
  EXPECT_THAT(flags->GetAll("contact"),
              ElementsAre("PHONE::0912345678", "CHAT_HANDLE:TELEGRAM:@x",
                          "EWALLET:MOMO:1"));
  // Get() of a repeated flag is the last value.
  EXPECT_EQ(flags->Get("contact"), "EWALLET:MOMO:1");
}

TEST(FlagsTest, GetAllOfUnsetFlagIsEmpty) {
  auto flags = Parse({});
  ASSERT_TRUE(flags.ok()) << flags.status();
  EXPECT_THAT(flags->GetAll("contact"), IsEmpty());
  EXPECT_THAT(flags->GetAll("server"), IsEmpty());
}

TEST(FlagsTest, UnknownFlagIsRefusedByName) {
  auto flags = Parse({"--server=x", "--sever=y"});
  ASSERT_FALSE(flags.ok());
  EXPECT_EQ(flags.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(flags.status().message(), HasSubstr("--sever"));

  auto spaced = Parse({"--bogus", "value"});
  ASSERT_FALSE(spaced.ok());
  EXPECT_THAT(spaced.status().message(), HasSubstr("--bogus"));
}

TEST(FlagsTest, MissingValueIsRefusedByName) {
  auto flags = Parse({"--insecure", "--server"});
  ASSERT_FALSE(flags.ok());
  EXPECT_EQ(flags.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(flags.status().message(), HasSubstr("--server"));
  EXPECT_THAT(flags.status().message(), HasSubstr("value"));
}

TEST(FlagsTest, NonRepeatedFlagGivenTwiceIsRefused) {
  auto flags = Parse({"--server=a:1", "--server", "b:2"});
  ASSERT_FALSE(flags.ok());
  EXPECT_EQ(flags.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(flags.status().message(), HasSubstr("--server"));
  EXPECT_THAT(flags.status().message(), HasSubstr("more than once"));

  auto bools = Parse({"--insecure", "--insecure"});
  ASSERT_FALSE(bools.ok());
  EXPECT_THAT(bools.status().message(), HasSubstr("--insecure"));
}

TEST(FlagsTest, DoubleDashEndsFlags) {
  auto flags = Parse({"--amount=5", "--", "--server=x", "--bogus", "-"});
  ASSERT_TRUE(flags.ok()) << flags.status();
  EXPECT_EQ(flags->Get("amount"), "5");
  EXPECT_FALSE(flags->Has("server"));
  EXPECT_EQ(flags->Get("server"), "127.0.0.1:50051");
  EXPECT_THAT(flags->positional(), ElementsAre("--server=x", "--bogus", "-"));
}

TEST(FlagsTest, PositionalArgumentsAnywhere) {
  auto flags =
      Parse({"a.csv", "--amount", "7", "b.csv", "-x", "--insecure", "c.csv"});
  ASSERT_TRUE(flags.ok()) << flags.status();
  EXPECT_THAT(flags->positional(),
              ElementsAre("a.csv", "b.csv", "-x", "c.csv"));
  EXPECT_EQ(flags->Get("amount"), "7");
  EXPECT_TRUE(flags->GetBool("insecure"));
}

TEST(FlagsTest, DefaultsWhenNotGiven) {
  auto flags = Parse({});
  ASSERT_TRUE(flags.ok()) << flags.status();
  EXPECT_EQ(flags->Get("server"), "127.0.0.1:50051");
  EXPECT_EQ(flags->Get("amount"), "0");
  EXPECT_EQ(flags->Get("memo"), "");
  EXPECT_FALSE(flags->Has("server"));
  auto amount = flags->GetInt("amount");
  ASSERT_TRUE(amount.ok()) << amount.status();
  EXPECT_EQ(*amount, 0);
}

TEST(FlagsTest, GetInt) {
  auto flags = Parse({"--amount=-1500000"});
  ASSERT_TRUE(flags.ok()) << flags.status();
  auto amount = flags->GetInt("amount");
  ASSERT_TRUE(amount.ok()) << amount.status();
  EXPECT_EQ(*amount, -1500000);

  auto big = Parse({"--amount=9223372036854775807"});
  ASSERT_TRUE(big.ok()) << big.status();
  ASSERT_TRUE(big->GetInt("amount").ok());
  EXPECT_EQ(*big->GetInt("amount"), INT64_MAX);
}

TEST(FlagsTest, GetIntErrorsNameTheFlagAndTheValue) {
  for (const char* bad :
       {"--amount=abc", "--amount=12abc", "--amount=1.5",
        "--amount=", "--amount=9223372036854775808", "--amount=1e6"}) {
    auto flags = Parse({bad});
    ASSERT_TRUE(flags.ok()) << flags.status();
    auto amount = flags->GetInt("amount");
    ASSERT_FALSE(amount.ok()) << bad << " gave " << *amount;
    EXPECT_EQ(amount.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(amount.status().message(), HasSubstr("--amount"));
    EXPECT_THAT(amount.status().message(), HasSubstr("not an integer"));
  }
  auto flags = Parse({"--amount=12abc"});
  ASSERT_TRUE(flags.ok());
  EXPECT_THAT(flags->GetInt("amount").status().message(), HasSubstr("12abc"));
}

TEST(FlagsTest, FlagsHelpListsEveryFlag) {
  const std::string help = FlagsHelp(Specs());
  for (const FlagSpec& spec : Specs()) {
    EXPECT_THAT(help, HasSubstr("--" + spec.name)) << help;
    EXPECT_THAT(help, HasSubstr(spec.help)) << help;
  }
  // Defaults are shown; flags without a default show VALUE; booleans show
  // neither; repeatable flags say so.
  EXPECT_THAT(help, HasSubstr("--server=127.0.0.1:50051"));
  EXPECT_THAT(help, HasSubstr("--amount=0"));
  EXPECT_THAT(help, HasSubstr("--memo=VALUE"));
  EXPECT_THAT(help, Not(HasSubstr("--insecure=")));
  EXPECT_THAT(help, HasSubstr("(repeatable)"));
  // One line per flag.
  EXPECT_EQ(std::count(help.begin(), help.end(), '\n'),
            static_cast<long>(Specs().size()));
}

TEST(FlagsTest, NoSpecsRefusesAnyFlag) {
  auto flags = Flags::Parse({"--x"}, {});
  ASSERT_FALSE(flags.ok());
  EXPECT_THAT(flags.status().message(), HasSubstr("--x"));
  auto positional = Flags::Parse({"only", "positional"}, {});
  ASSERT_TRUE(positional.ok());
  EXPECT_THAT(positional->positional(), ElementsAre("only", "positional"));
}

}  // namespace
}  // namespace fraudgate::cli
