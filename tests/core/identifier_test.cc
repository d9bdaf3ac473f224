#include "core/identifier.h"

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/text.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraudgate::core {
namespace {

using ::testing::Not;
using ::testing::Optional;
using ::testing::StartsWith;

constexpr IdentifierKind kAllKinds[] = {
    IdentifierKind::kPhone, IdentifierKind::kBankAccount,
    IdentifierKind::kEwallet, IdentifierKind::kChatHandle};

// Canonical identifiers of every kind, including pairs whose issuer and value
// concatenate to the same string.
std::vector<Identifier> Samples() {
  return {
      {IdentifierKind::kPhone, "", "+84329123456"},
      {IdentifierKind::kPhone, "", "+16502530000"},
      {IdentifierKind::kBankAccount, "970436", "0123456789"},
      {IdentifierKind::kBankAccount, "970436", "00123456789"},
      {IdentifierKind::kBankAccount, "*", "0123456789"},
      {IdentifierKind::kBankAccount, "97", "0436X"},
      {IdentifierKind::kBankAccount, "970", "436X"},
      {IdentifierKind::kBankAccount, "9704", "36X"},
      {IdentifierKind::kEwallet, "MOMO", "+84912345678"},
      {IdentifierKind::kEwallet, "ZALOPAY", "+84912345678"},
      {IdentifierKind::kEwallet, "SHOPEEPAY", "user.name_1"},
      {IdentifierKind::kChatHandle, "TELEGRAM", "name"},
      {IdentifierKind::kChatHandle, "ZALO", "+84912345678"},
      {IdentifierKind::kChatHandle, "FACEBOOK", "1000123"},
      // Same issuer and value under every kind.
      {IdentifierKind::kEwallet, "X", "Y"},
      {IdentifierKind::kChatHandle, "X", "Y"},
      {IdentifierKind::kBankAccount, "X", "Y"},
      {IdentifierKind::kPhone, "X", "Y"},
      // Empty parts.
      {IdentifierKind::kPhone, "", ""},
      {IdentifierKind::kEwallet, "", "A"},
      {IdentifierKind::kEwallet, "A", ""},
  };
}

TEST(IdentifierTest, KeyRoundTripsForEveryKind) {
  for (const Identifier& id : Samples()) {
    const std::string key = id.Key();
    EXPECT_THAT(Identifier::FromKey(key), Optional(id)) << id.ToString();
  }
}

TEST(IdentifierTest, DistinctIdentifiersHaveDistinctKeys) {
  const std::vector<Identifier> samples = Samples();
  std::set<std::string> keys;
  for (const Identifier& id : samples) keys.insert(id.Key());
  EXPECT_EQ(keys.size(), samples.size());

  const Identifier a{IdentifierKind::kBankAccount, "97", "0436x"};
  const Identifier b{IdentifierKind::kBankAccount, "970", "436x"};
  EXPECT_NE(a.Key(), b.Key());
}

TEST(IdentifierTest, KeysContainNoNulByte) {
  for (const Identifier& id : Samples()) {
    EXPECT_EQ(id.Key().find('\0'), std::string::npos) << id.ToString();
  }
}

TEST(IdentifierTest, KeysOfOneKindShareAPrefixOtherKindsDoNot) {
  // The kind tag comes first, so a kind's keys form one contiguous range.
  for (IdentifierKind kind : kAllKinds) {
    const std::string tag = Identifier{kind, "", ""}.Key().substr(0, 1);
    for (const Identifier& id : Samples()) {
      if (id.kind == kind) {
        EXPECT_THAT(id.Key(), StartsWith(tag)) << id.ToString();
      } else {
        EXPECT_THAT(id.Key(), Not(StartsWith(tag))) << id.ToString();
      }
    }
  }
}

TEST(IdentifierTest, FromKeyRejectsGarbage) {
  using namespace std::string_literals;
  for (const std::string& key :
       {""s, "P"s, "A970436"s, "Zabc\x1f.def"s, "\x1fvalue"s,
        "p\x1f+84329123456"s, "+84329123456"s, "\0\x1f"s}) {
    EXPECT_EQ(Identifier::FromKey(key), std::nullopt)
        << testing::PrintToString(key);
  }
}

TEST(IdentifierTest, ToString) {
  EXPECT_EQ((Identifier{IdentifierKind::kPhone, "", "+84329123456"}.ToString()),
            "PHONE:+84329123456");
  EXPECT_EQ((Identifier{IdentifierKind::kBankAccount, "970436", "0123456789"}
                 .ToString()),
            "BANK_ACCOUNT:970436:0123456789");
  EXPECT_EQ(
      (Identifier{IdentifierKind::kBankAccount, "*", "0123456789"}.ToString()),
      "BANK_ACCOUNT:*:0123456789");
  EXPECT_EQ(
      (Identifier{IdentifierKind::kEwallet, "MOMO", "+84912345678"}.ToString()),
      "EWALLET:MOMO:+84912345678");
  EXPECT_EQ(
      (Identifier{IdentifierKind::kChatHandle, "TELEGRAM", "name"}.ToString()),
      "CHAT_HANDLE:TELEGRAM:name");
}

TEST(IdentifierTest, DefaultAndEquality) {
  const Identifier id;
  EXPECT_EQ(id.kind, IdentifierKind::kPhone);
  EXPECT_EQ(id.issuer, "");
  EXPECT_EQ(id.value, "");
  const Identifier a{IdentifierKind::kEwallet, "MOMO", "x"};
  EXPECT_EQ(a, (Identifier{IdentifierKind::kEwallet, "MOMO", "x"}));
  EXPECT_NE(a, (Identifier{IdentifierKind::kChatHandle, "MOMO", "x"}));
  EXPECT_NE(a, (Identifier{IdentifierKind::kEwallet, "ZALOPAY", "x"}));
  EXPECT_NE(a, (Identifier{IdentifierKind::kEwallet, "MOMO", "y"}));
}

TEST(IdentifierTest, MaskedKeepsKindIssuerAndLastThree) {
  EXPECT_EQ((Identifier{IdentifierKind::kBankAccount, "970436", "0123456789"})
                .Masked(),
            "BANK_ACCOUNT:970436:*******789");
  EXPECT_EQ((Identifier{IdentifierKind::kPhone, "", "+84329123456"}).Masked(),
            "PHONE:*********456");
  EXPECT_EQ((Identifier{IdentifierKind::kChatHandle, "TELEGRAM", "mule_boss"})
                .Masked(),
            "CHAT_HANDLE:TELEGRAM:******oss");
  // Three characters or fewer: nothing of the value is shown.
  EXPECT_EQ((Identifier{IdentifierKind::kEwallet, "MOMO", "abc"}).Masked(),
            "EWALLET:MOMO:***");
  EXPECT_EQ((Identifier{IdentifierKind::kEwallet, "MOMO", "ab"}).Masked(),
            "EWALLET:MOMO:**");
  // Masking counts code points: "nguyễn" is 6, so 3 stars and "ễn" stays
  // whole; the result is valid UTF-8.
  const std::string masked =
      Identifier{IdentifierKind::kChatHandle, "ZALO", "nguy\xe1\xbb\x85n"}
          .Masked();
  EXPECT_EQ(masked, "CHAT_HANDLE:ZALO:***y\xe1\xbb\x85n");
  EXPECT_TRUE(IsValidUtf8(masked));
}

TEST(KindNameTest, NamesAndInverse) {
  struct Case {
    IdentifierKind kind;
    std::string_view name;
  };
  for (const Case& c : {Case{IdentifierKind::kPhone, "PHONE"},
                        Case{IdentifierKind::kBankAccount, "BANK_ACCOUNT"},
                        Case{IdentifierKind::kEwallet, "EWALLET"},
                        Case{IdentifierKind::kChatHandle, "CHAT_HANDLE"}}) {
    EXPECT_EQ(KindName(c.kind), c.name);
    EXPECT_THAT(KindFromName(c.name), Optional(c.kind)) << c.name;
  }
}

TEST(KindNameTest, FromNameIsExact) {
  for (std::string_view name :
       {"", "phone", "Phone", " PHONE", "PHONE ", "BANK ACCOUNT", "BANKACCOUNT",
        "E_WALLET", "CHAT", "UNKNOWN", "KIND_UNSPECIFIED"}) {
    EXPECT_EQ(KindFromName(name), std::nullopt) << name;
  }
}

}  // namespace
}  // namespace fraudgate::core
