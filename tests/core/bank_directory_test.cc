#include "core/bank_directory.h"

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraudgate::core {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

const BankDirectory& Dir() { return BankDirectory::BuiltIn(); }

// Returns the BIN Find() resolves `query` to, or "<none>".
std::string FindBin(const BankDirectory& directory, std::string_view query) {
  const Bank* bank = directory.Find(query);
  return bank == nullptr ? "<none>" : bank->bin;
}

TEST(BankDirectoryBuiltInTest, ParsesAndCoversTheNapasList) {
  EXPECT_GE(Dir().banks().size(), 50u);
  // Same object every time: parsed once.
  EXPECT_EQ(&Dir(), &BankDirectory::BuiltIn());
}

TEST(BankDirectoryBuiltInTest, EveryBinIsSixDigitsAndUnique) {
  std::set<std::string> seen;
  for (const Bank& bank : Dir().banks()) {
    ASSERT_EQ(bank.bin.size(), 6u) << bank.bin;
    for (char c : bank.bin) {
      EXPECT_TRUE(c >= '0' && c <= '9') << bank.bin;
    }
    EXPECT_TRUE(seen.insert(bank.bin).second) << "duplicate " << bank.bin;
    EXPECT_THAT(bank.short_name, Not(IsEmpty())) << bank.bin;
    EXPECT_THAT(bank.name, Not(IsEmpty())) << bank.bin;
  }
}

TEST(BankDirectoryBuiltInTest, EveryNameAndAliasFindsItsOwnBank) {
  for (const Bank& bank : Dir().banks()) {
    EXPECT_EQ(Dir().Find(bank.bin), &bank) << bank.bin;
    EXPECT_EQ(Dir().Find(bank.short_name), &bank) << bank.short_name;
    EXPECT_EQ(Dir().Find(bank.name), &bank) << bank.name;
    for (const std::string& alias : bank.aliases) {
      EXPECT_EQ(Dir().Find(alias), &bank) << alias;
    }
  }
}

struct FindCase {
  std::string_view query;
  std::string_view bin;
};

// The banks named in DESIGN §2, by BIN, short name and alias, in the forms
// people type them.
constexpr FindCase kDesignBanks[] = {
    {"970436", "970436"},       {"Vietcombank", "970436"},
    {"VIETCOMBANK", "970436"},  {"Viet-com bank", "970436"},
    {"VCB", "970436"},          {"vcb", "970436"},
    {"V.C.B", "970436"},        {" v c b ", "970436"},
    {"970415", "970415"},       {"VietinBank", "970415"},
    {"Vietin Bank", "970415"},  {"ICB", "970415"},
    {"icb", "970415"},          {"CTG", "970415"},
    {"c-t-g", "970415"},        {"970418", "970418"},
    {"BIDV", "970418"},         {"b.i.d.v", "970418"},
    {"970405", "970405"},       {"Agribank", "970405"},
    {"AGRIBANK", "970405"},     {"Agri_bank", "970405"},
    {"VBA", "970405"},          {"vba", "970405"},
    {"970407", "970407"},       {"Techcombank", "970407"},
    {"Techcom Bank", "970407"}, {"TCB", "970407"},
    {"tcb", "970407"},          {"970422", "970422"},
    {"MBBank", "970422"},       {"MB Bank", "970422"},
    {"mb-bank", "970422"},      {"MB", "970422"},
    {"mb", "970422"},           {"970416", "970416"},
    {"ACB", "970416"},          {"a.c.b.", "970416"},
    {"970432", "970432"},       {"VPBank", "970432"},
    {"VP Bank", "970432"},      {"VPB", "970432"},
    {"970403", "970403"},       {"Sacombank", "970403"},
    {"SACOM BANK", "970403"},   {"STB", "970403"},
    {"stb", "970403"},          {"970423", "970423"},
    {"TPBank", "970423"},       {"tp-bank", "970423"},
    {"TPB", "970423"},
};

TEST(BankDirectoryFindTest, DesignBanksResolve) {
  for (const FindCase& c : kDesignBanks) {
    EXPECT_EQ(FindBin(Dir(), c.query), c.bin) << "query: '" << c.query << "'";
  }
}

// Other common abbreviations, codes, wallets and former names.
constexpr FindCase kOtherNames[] = {
    {"HDB", "970437"},
    {"HDBank", "970437"},
    {"VIB", "970441"},
    {"SHB", "970443"},
    {"MSB", "970426"},
    {"Maritime Bank", "970426"},
    {"OCB", "970448"},
    {"EIB", "970431"},
    {"Eximbank", "970431"},
    {"LPB", "970449"},
    {"LienVietPostBank", "970449"},
    {"SCB", "970429"},
    {"SeABank", "970440"},
    {"NCB", "970419"},
    {"ShinhanBank", "970424"},
    {"SHBVN", "970424"},
    {"VietCapitalBank", "970454"},
    {"BVBank", "970454"},
    {"BaoVietBank", "970438"},
    {"Oceanbank", "970414"},
    {"MBV", "970414"},
    {"DongA Bank", "970406"},
    {"Vikki", "970406"},
    {"CAKE", "546034"},
    {"Ubank", "546035"},
    {"Timo", "963388"},
    {"VNPT Money", "971011"},
    {"VNPTMONEY", "971011"},
    {"ViettelMoney", "971005"},
    {"VTLMONEY", "971005"},
    {"PVcomBank", "970412"},
    {"PVcomBank Pay", "971133"},
    {"Ngoại thương", "970436"},
    {"Ngoai Thuong", "970436"},
    {"Ngân hàng TMCP Công thương Việt Nam", "970415"},
    {"ngan hang tmcp cong thuong viet nam", "970415"},
};

TEST(BankDirectoryFindTest, OtherNamesResolve) {
  for (const FindCase& c : kOtherNames) {
    EXPECT_EQ(FindBin(Dir(), c.query), c.bin) << "query: '" << c.query << "'";
  }
}

TEST(BankDirectoryFindTest, UnknownAndEmptyReturnNull) {
  for (std::string_view query :
       {"", " ", ".-_", "NoSuchBank", "970000", "97043", "9704366", "VCBX",
        "Vietcombank2", "IBK", "Kookmin"}) {
    EXPECT_EQ(Dir().Find(query), nullptr) << "query: '" << query << "'";
  }
}

TEST(BankDirectoryParseTest, AcceptsCommentsBlankLinesCrlfAndEmptyAliases) {
  absl::StatusOr<BankDirectory> directory = BankDirectory::Parse(
      "# comment\n"
      "\n"
      "970436\tVietcombank\tNgan hang Ngoai Thuong\tVCB, Vietcom ,\r\n"
      "   \n"
      "970415\tVietinBank\tNgan hang Cong Thuong\t\n"
      "970418\tBIDV\tBIDV full\tBIDV,b-i-d-v");  // No final newline.
  ASSERT_TRUE(directory.ok()) << directory.status();
  ASSERT_EQ(directory->banks().size(), 3u);

  const Bank& vcb = directory->banks()[0];
  EXPECT_EQ(vcb.bin, "970436");
  EXPECT_EQ(vcb.short_name, "Vietcombank");
  EXPECT_EQ(vcb.name, "Ngan hang Ngoai Thuong");
  EXPECT_EQ(vcb.aliases, (std::vector<std::string>{"VCB", "Vietcom"}));
  EXPECT_THAT(directory->banks()[1].aliases, IsEmpty());

  EXPECT_EQ(FindBin(*directory, "vietcom"), "970436");
  EXPECT_EQ(FindBin(*directory, "NGAN HANG CONG THUONG"), "970415");
  EXPECT_EQ(FindBin(*directory, "970418"), "970418");
  EXPECT_EQ(directory->Find("970405"), nullptr);
}

TEST(BankDirectoryParseTest, EmptyTextGivesEmptyDirectory) {
  absl::StatusOr<BankDirectory> directory = BankDirectory::Parse("");
  ASSERT_TRUE(directory.ok()) << directory.status();
  EXPECT_THAT(directory->banks(), IsEmpty());
  EXPECT_EQ(directory->Find("970436"), nullptr);
}

struct BadInputCase {
  std::string_view name;
  std::string_view text;
  std::string_view line;     // "line N"
  std::string_view message;  // Another substring of the error.
};

// Line 1 is a comment and line 2 a valid bank in each case, so the error must
// name the right line, not just the first.
constexpr std::string_view kGoodPrefix =
    "# header\n970436\tVietcombank\tNgan hang Ngoai Thuong\tVCB\n";

constexpr BadInputCase kBadInputs[] = {
    {"three columns", "970415\tVietinBank\tNgan hang Cong Thuong\n", "line 3",
     "columns"},
    {"five columns", "970415\tVietinBank\tNHCT\tICB\textra\n", "line 3",
     "columns"},
    {"one column", "970415\n", "line 3", "columns"},
    {"spaces instead of tabs", "970415 VietinBank NHCT ICB\n", "line 3",
     "columns"},
    {"BIN too short", "97041\tVietinBank\tNHCT\tICB\n", "line 3", "BIN"},
    {"BIN too long", "9704150\tVietinBank\tNHCT\tICB\n", "line 3", "BIN"},
    {"BIN not digits", "97041A\tVietinBank\tNHCT\tICB\n", "line 3", "BIN"},
    {"BIN empty", "\tVietinBank\tNHCT\tICB\n", "line 3", "BIN"},
    {"duplicate BIN", "970436\tOther\tOther Bank\t\n", "line 3",
     "duplicate BIN 970436"},
    {"short name taken", "970415\tVCB\tNHCT\t\n", "line 3", "970436"},
    {"alias taken", "970415\tVietinBank\tNHCT\tICB,vcb\n", "line 3",
     "already used"},
    {"alias taken after folding", "970415\tVietinBank\tNHCT\tV.C-B\n", "line 3",
     "already used"},
    {"full name taken", "970415\tVietinBank\tngan hang ngoai thuong\t\n",
     "line 3", "already used"},
    {"alias is another BIN", "970415\tVietinBank\tNHCT\t970436\n", "line 3",
     "already used"},
    {"empty short name", "970415\t\tNHCT\tICB\n", "line 3", "short name"},
    {"empty full name", "970415\tVietinBank\t \tICB\n", "line 3", "full name"},
    {"alias folds to nothing", "970415\tVietinBank\tNHCT\t-.-\n", "line 3",
     "empty"},
};

TEST(BankDirectoryParseTest, RejectsMalformedInputNamingTheLine) {
  for (const BadInputCase& c : kBadInputs) {
    const std::string text = std::string(kGoodPrefix) + std::string(c.text);
    absl::StatusOr<BankDirectory> directory = BankDirectory::Parse(text);
    ASSERT_FALSE(directory.ok()) << c.name;
    EXPECT_EQ(directory.status().code(), absl::StatusCode::kInvalidArgument)
        << c.name;
    const std::string message(directory.status().message());
    EXPECT_THAT(message, HasSubstr(std::string(c.line))) << c.name;
    EXPECT_THAT(message, HasSubstr(std::string(c.message))) << c.name;
  }
}

TEST(BankDirectoryParseTest, LineNumbersCountCommentsAndBlankLines) {
  absl::StatusOr<BankDirectory> directory = BankDirectory::Parse(
      "# a\n\n# b\n970436\tVietcombank\tNHNT\tVCB\n\n97043\tX\tY\t\n");
  ASSERT_FALSE(directory.ok());
  EXPECT_THAT(std::string(directory.status().message()), HasSubstr("line 6:"));
}

TEST(BankDirectoryParseTest, SameBankMayRepeatANameInAnotherForm) {
  // "ACB" is both short name and code in the VietQR list.
  absl::StatusOr<BankDirectory> directory =
      BankDirectory::Parse("970416\tACB\tNgan hang A Chau\tACB,a.c.b\n");
  ASSERT_TRUE(directory.ok()) << directory.status();
  EXPECT_EQ(FindBin(*directory, "acb"), "970416");
}

}  // namespace
}  // namespace fraudgate::core
