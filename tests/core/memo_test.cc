#include "core/memo.h"

#include <string>
#include <string_view>
#include <vector>

#include "core/identifier.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraudgate::core {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

Identifier Phone(std::string_view e164) {
  return Identifier{IdentifierKind::kPhone, "", std::string(e164)};
}
Identifier Account(std::string_view number) {
  return Identifier{IdentifierKind::kBankAccount, std::string(kAnyBank),
                    std::string(number)};
}
Identifier Telegram(std::string_view handle) {
  return Identifier{IdentifierKind::kChatHandle, "TELEGRAM",
                    std::string(handle)};
}

// `n` code points of Vietnamese text (2..4-byte UTF-8 and ASCII spaces), no
// digits.
std::string VietnameseText(size_t n) {
  const std::vector<std::string> chars = {"C", "h", "u", "y", "ể", "n", " ",
                                          "t", "i", "ề", "n", " ", "g", "ấ",
                                          "p", " ", "đ", "i", " "};
  std::string out;
  for (size_t i = 0; i < n; ++i) out += chars[i % chars.size()];
  return out;
}

struct Case {
  std::string_view memo;
  std::vector<Identifier> want;
};

TEST(ExtractMemoIdentifiersTest, Table) {
  const Case cases[] = {
      // The example of the header: the phone, and the run as an account
      // number at any bank (8..19 digits).
      {"chuyen gap cho 0162 912 3456",
       {Phone("+84329123456"), Account("01629123456")}},
      {"0329123456", {Phone("+84329123456"), Account("0329123456")}},
      {"ck 0329.123.456 nhe", {Phone("+84329123456"), Account("0329123456")}},
      {"goi 0329-123-456.", {Phone("+84329123456"), Account("0329123456")}},
      {"(0329 123 456)", {Phone("+84329123456"), Account("0329123456")}},
      {"sdt:0912345678,", {Phone("+84912345678"), Account("0912345678")}},
      // Full-width digits are folded first.
      {"ｓｄｔ ０３２９１２３４５６",
       {Phone("+84329123456"), Account("0329123456")}},
      // A '+' run is a phone, never an account number.
      {"lien he +84 32 912 3456 ngay", {Phone("+84329123456")}},
      {"lien he +84329123456", {Phone("+84329123456")}},
      // Account numbers with separators: too long for a phone.
      {"stk 1903-6543-2100-11 techcombank", {Account("19036543210011")}},
      {"STK 1903 6543 2100 11", {Account("19036543210011")}},
      {"tk 1017.0001.23456", {Account("1017000123456")}},
      // 8 and 19 digits are account numbers; 7 and 20 are nothing.
      {"ma 12345678", {Account("12345678")}},
      {"ma 1234567890123456789", {Account("1234567890123456789")}},
      {"ma 1234567", {}},
      {"ma 12345678901234567890", {}},
      // Digits joined by more than one separator are separate runs.
      {"0329  123 456", {}},
      {"0329 - 123 - 456", {}},
      // @handle -> Telegram, lower-cased; 5..32 characters.
      {"nhan tin @Some_Name de nhan", {Telegram("some_name")}},
      {"@abcde", {Telegram("abcde")}},
      {"@abcd", {}},
      {"@a2345678901234567890123456789012",
       {Telegram("a2345678901234567890123456789012")}},
      {"@a23456789012345678901234567890123", {}},
      {"(@handle)", {Telegram("handle")}},
      // An e-mail address is no handle.
      {"gui abc@gmail.com", {}},
      // Runs glued to letters are codes, not numbers.
      {"ma0329123456", {}},
      {"0329123456abc", {}},
      {"abc0329123456xyz", {}},
      {"500k 1000000d", {}},
      {"HD12345678", {}},
      // Order of appearance; duplicates dropped.
      {"@first 0329123456 @First 0329.123.456",
       {Telegram("first"), Phone("+84329123456"), Account("0329123456")}},
      {"0912345678 va 0162 912 3456 va 0912 345 678",
       {Phone("+84912345678"), Account("0912345678"), Phone("+84329123456"),
        Account("01629123456")}},
      // Nothing to extract.
      {"", {}},
      {"   ", {}},
      {"chuyen tien an trua", {}},
      {"Chuyển tiền học phí tháng 5", {}},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(ExtractMemoIdentifiers(c.memo), ElementsAreArray(c.want))
        << c.memo;
  }
}

TEST(ExtractMemoIdentifiersTest, AtMostMaxTokensInOrder) {
  std::string memo;
  std::vector<Identifier> want;
  for (int i = 0; i < 12; ++i) {
    // Distinct 8-digit numbers: account numbers, too short for a phone.
    const std::string number = std::to_string(20000000 + i * 1111);
    memo += "stk " + number + " ";
    if (want.size() < kMaxMemoTokens) want.push_back(Account(number));
  }
  const std::vector<Identifier> got = ExtractMemoIdentifiers(memo);
  EXPECT_THAT(got, SizeIs(kMaxMemoTokens));
  EXPECT_THAT(got, ElementsAreArray(want));
}

TEST(ExtractMemoIdentifiersTest, DuplicatesDoNotUseUpTheBudget) {
  std::string memo;
  for (int i = 0; i < 20; ++i) memo += "@samename ";
  memo += "0329123456";
  EXPECT_THAT(ExtractMemoIdentifiers(memo),
              ElementsAre(Telegram("samename"), Phone("+84329123456"),
                          Account("0329123456")));
}

TEST(ExtractMemoIdentifiersTest, ScansOnlyTheFirstMaxMemoChars) {
  ASSERT_EQ(Utf8Length(VietnameseText(600)), 600u);
  // After 600 code points of text: not scanned.
  EXPECT_THAT(ExtractMemoIdentifiers(VietnameseText(600) + " 0329123456"),
              IsEmpty());
  EXPECT_THAT(ExtractMemoIdentifiers(VietnameseText(600) + " @handle"),
              IsEmpty());

  // A phone whose last digit is code point kMaxMemoChars is found ...
  const std::string phone = "0329123456";
  const std::string fits =
      VietnameseText(kMaxMemoChars - phone.size() - 1) + " " + phone;
  ASSERT_EQ(Utf8Length(fits), kMaxMemoChars);
  EXPECT_THAT(ExtractMemoIdentifiers(fits), Contains(Phone("+84329123456")));
  // ... one code point later its last digit is cut off.
  const std::string cut =
      VietnameseText(kMaxMemoChars - phone.size()) + " " + phone;
  ASSERT_EQ(Utf8Length(cut), kMaxMemoChars + 1);
  EXPECT_THAT(ExtractMemoIdentifiers(cut),
              Not(Contains(Phone("+84329123456"))));
  EXPECT_THAT(ExtractMemoIdentifiers(cut), Not(Contains(Account(phone))));
}

TEST(Utf8LengthTest, CountsCodePoints) {
  EXPECT_EQ(Utf8Length(""), 0u);
  EXPECT_EQ(Utf8Length("abc"), 3u);
  EXPECT_EQ(Utf8Length("Chuyển"), 6u);            // ể is 3 bytes
  EXPECT_EQ(Utf8Length("đ"), 1u);                 // 2 bytes
  EXPECT_EQ(Utf8Length("０３２９"), 4u);          // full-width, 3 bytes each
  EXPECT_EQ(Utf8Length("\xF0\x9F\x98\x80"), 1u);  // U+1F600, 4 bytes
  EXPECT_EQ(Utf8Length("Chuyển tiền gấp"), 15u);
}

}  // namespace
}  // namespace fraudgate::core
