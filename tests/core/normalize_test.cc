#include "core/normalize.h"

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/identifier.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraudgate::core {
namespace {

using ::testing::HasSubstr;
using ::testing::Optional;
using ::testing::StartsWith;

constexpr IdentifierKind kPhone = IdentifierKind::kPhone;
constexpr IdentifierKind kAccount = IdentifierKind::kBankAccount;
constexpr IdentifierKind kWallet = IdentifierKind::kEwallet;
constexpr IdentifierKind kChat = IdentifierKind::kChatHandle;

std::string Message(const absl::Status& status) {
  return std::string(status.message());
}

FieldNames Fields() { return FieldNames::Nested("id"); }

struct AcceptCase {
  IdentifierKind kind;
  std::string_view issuer;
  std::string_view value;
  std::string_view want_issuer;
  std::string_view want_value;
};

constexpr AcceptCase kAccepted[] = {
    // PHONE: issuer empty (or blank), value via NormalizePhone.
    {kPhone, "", "0329 123 456", "", "+84329123456"},
    {kPhone, "  ", "+84 32 912 3456", "", "+84329123456"},
    {kPhone, "", "0162 912 3456", "", "+84329123456"},
    {kPhone, "", "+1 650 253 0000", "", "+16502530000"},

    // BANK_ACCOUNT: bank as BIN, short name, alias, any case.
    {kAccount, "970436", "0123456789", "970436", "0123456789"},
    {kAccount, "VCB", "0123456789", "970436", "0123456789"},
    {kAccount, "Vietcombank", "0123456789", "970436", "0123456789"},
    {kAccount, "vcb", "0123456789", "970436", "0123456789"},
    {kAccount, "vietcombank", "0123456789", "970436", "0123456789"},
    {kAccount, " VCB ", "0123456789", "970436", "0123456789"},
    {kAccount, "Viet-com bank", "0123456789", "970436", "0123456789"},
    {kAccount, "Ngoại thương", "0123456789", "970436", "0123456789"},
    {kAccount, "ICB", "0123456789", "970415", "0123456789"},
    {kAccount, "CTG", "0123456789", "970415", "0123456789"},
    {kAccount, "VietinBank", "0123456789", "970415", "0123456789"},
    {kAccount, "BIDV", "0123456789", "970418", "0123456789"},
    {kAccount, "Agribank", "0123456789", "970405", "0123456789"},
    {kAccount, "VBA", "0123456789", "970405", "0123456789"},
    {kAccount, "TCB", "0123456789", "970407", "0123456789"},
    {kAccount, "Techcombank", "0123456789", "970407", "0123456789"},
    {kAccount, "MB", "0123456789", "970422", "0123456789"},
    {kAccount, "ACB", "0123456789", "970416", "0123456789"},
    {kAccount, "VPBank", "0123456789", "970432", "0123456789"},
    {kAccount, "STB", "0123456789", "970403", "0123456789"},
    {kAccount, "Sacombank", "0123456789", "970403", "0123456789"},
    {kAccount, "TPBank", "0123456789", "970423", "0123456789"},
    // Spaces, dots and dashes removed; leading zeros kept; letters upper-cased.
    {kAccount, "VCB", "0123 456 789", "970436", "0123456789"},
    {kAccount, "VCB", "0123.456.789", "970436", "0123456789"},
    {kAccount, "VCB", "0123-456-789", "970436", "0123456789"},
    {kAccount, "VCB", " 01 23.45-67 89 ", "970436", "0123456789"},
    {kAccount, "VCB", "000012345", "970436", "000012345"},
    {kAccount, "VCB", "abc12345", "970436", "ABC12345"},
    {kAccount, "VCB", "Ab-Cd.12 34", "970436", "ABCD1234"},
    {kAccount, "VCB", "０１２３４５６７８９", "970436", "0123456789"},
    // Length limits 4..34.
    {kAccount, "VCB", "1234", "970436", "1234"},
    {kAccount, "VCB", "1234567890123456789012345678901234", "970436",
     "1234567890123456789012345678901234"},
    // No bank: any bank.
    {kAccount, "", "0123456789", "*", "0123456789"},
    {kAccount, "*", "0123456789", "*", "0123456789"},
    {kAccount, " * ", "0123 4567 89", "*", "0123456789"},

    // EWALLET: provider code and aliases; phone-like ids as E.164.
    {kWallet, "MOMO", "0912 345 678", "MOMO", "+84912345678"},
    {kWallet, "Momo", "0912345678", "MOMO", "+84912345678"},
    {kWallet, "momo", "+84 912 345 678", "MOMO", "+84912345678"},
    {kWallet, "MOMO", "0162 912 3456", "MOMO", "+84329123456"},
    {kWallet, "Viettel Money", "0329123456", "VIETTELMONEY", "+84329123456"},
    {kWallet, "ViettelPay", "0329123456", "VIETTELMONEY", "+84329123456"},
    {kWallet, "VIETTELMONEY", "0329123456", "VIETTELMONEY", "+84329123456"},
    {kWallet, "ZaloPay", "0912345678", "ZALOPAY", "+84912345678"},
    {kWallet, "VNPT Money", "0912345678", "VNPTMONEY", "+84912345678"},
    {kWallet, "ShopeePay", "0912345678", "SHOPEEPAY", "+84912345678"},
    // Other wallet ids lower-cased.
    {kWallet, "SHOPEEPAY", "User.Name_1", "SHOPEEPAY", "user.name_1"},
    {kWallet, "ZALOPAY", "ABC-123x", "ZALOPAY", "abc-123x"},

    // CHAT_HANDLE.
    {kChat, "TELEGRAM", "@Name", "TELEGRAM", "name"},
    {kChat, "Telegram", "Some_Name", "TELEGRAM", "some_name"},
    {kChat, "", "t.me/Name", "TELEGRAM", "name"},
    {kChat, "", "https://www.t.me/Name", "TELEGRAM", "name"},
    // "www." goes only with a host (found by identifier_fuzzer: it was
    // stripped again on every pass).
    {kChat, "TELEGRAM", "t.me/www.abc", "TELEGRAM", "www.abc"},
    {kChat, "", "https://t.me/Name/", "TELEGRAM", "name"},
    {kChat, "", "HTTPS://T.ME/Name", "TELEGRAM", "name"},
    {kChat, "", "https://t.me/Name?start=1", "TELEGRAM", "name"},
    {kChat, "", "https://t.me/@Name", "TELEGRAM", "name"},
    {kChat, "", "https://t.me/Name/?start=1", "TELEGRAM", "name"},
    {kChat, "", "fb.com/name#about", "FACEBOOK", "name"},
    {kChat, "TELEGRAM", "t.me/Name", "TELEGRAM", "name"},
    {kChat, "", "https://zalo.me/0912345678", "ZALO", "+84912345678"},
    {kChat, "ZALO", "zalo.me/0912345678", "ZALO", "+84912345678"},
    {kChat, "Zalo", "0912 345 678", "ZALO", "+84912345678"},
    {kChat, "ZALO", "0162 912 3456", "ZALO", "+84329123456"},
    {kChat, "Viber", "+84 912 345 678", "VIBER", "+84912345678"},
    {kChat, "", "wa.me/84912345678", "WHATSAPP", "+84912345678"},
    {kChat, "WhatsApp", "0912345678", "WHATSAPP", "+84912345678"},
    {kChat, "", "fb.com/name", "FACEBOOK", "name"},
    {kChat, "", "https://www.facebook.com/Some.Name", "FACEBOOK", "some.name"},
    {kChat, "", "https://www.facebook.com/profile.php?id=1000123", "FACEBOOK",
     "1000123"},
    {kChat, "", "https://www.facebook.com/profile.php?id=1000123&ref=x",
     "FACEBOOK", "1000123"},
    {kChat, "Facebook", "fb.com/name", "FACEBOOK", "name"},
    // Messenger accounts are also given as Facebook links.
    {kChat, "Messenger", "fb.com/name", "MESSENGER", "name"},
    {kChat, "", "m.me/Name", "MESSENGER", "name"},
};

std::string Describe(const AcceptCase& c) {
  return std::string(KindName(c.kind)) + " issuer=\"" + std::string(c.issuer) +
         "\" value=\"" + std::string(c.value) + "\"";
}

TEST(NormalizeIdentifierTest, AcceptsEveryDocumentedForm) {
  for (const AcceptCase& c : kAccepted) {
    absl::StatusOr<Identifier> got =
        NormalizeIdentifier(c.kind, c.issuer, c.value, Fields());
    ASSERT_TRUE(got.ok()) << Describe(c) << ": " << got.status();
    EXPECT_EQ(got->kind, c.kind) << Describe(c);
    EXPECT_EQ(got->issuer, c.want_issuer) << Describe(c);
    EXPECT_EQ(got->value, c.want_value) << Describe(c);
  }
}

TEST(NormalizeIdentifierTest, IsIdempotent) {
  for (const AcceptCase& c : kAccepted) {
    absl::StatusOr<Identifier> once =
        NormalizeIdentifier(c.kind, c.issuer, c.value, Fields());
    ASSERT_TRUE(once.ok()) << Describe(c) << ": " << once.status();
    absl::StatusOr<Identifier> twice =
        NormalizeIdentifier(once->kind, once->issuer, once->value, Fields());
    ASSERT_TRUE(twice.ok()) << once->ToString() << ": " << twice.status();
    EXPECT_EQ(*twice, *once) << Describe(c);
  }
}

enum class Field { kIssuer, kValue };

struct RejectCase {
  IdentifierKind kind;
  std::string_view issuer;
  std::string_view value;
  Field field;           // which field the message must name
  std::string_view why;  // a substring of the message
};

constexpr RejectCase kRejected[] = {
    // PHONE.
    {kPhone, "VN", "0329123456", Field::kIssuer, "must be empty"},
    {kPhone, "*", "0329123456", Field::kIssuer, "must be empty"},
    {kPhone, "", "0329abc456", Field::kValue, "only digits"},
    {kPhone, "", "12345", Field::kValue, "too short"},
    {kPhone, "", "", Field::kValue, "empty"},

    // BANK_ACCOUNT.
    {kAccount, "NOSUCHBANK", "0123456789", Field::kIssuer, "unknown bank"},
    {kAccount, "970999", "0123456789", Field::kIssuer, "unknown bank"},
    {kAccount, "**", "0123456789", Field::kIssuer, "unknown bank"},
    {kAccount, "VCB", "0123_456789", Field::kValue, "only digits and letters"},
    {kAccount, "VCB", "0123/456789", Field::kValue, "only digits and letters"},
    {kAccount, "VCB", "0123456789!", Field::kValue, "only digits and letters"},
    {kAccount, "VCB", "đ123456789", Field::kValue, "only digits and letters"},
    {kAccount, "VCB", "123", Field::kValue, "4 to 34"},
    {kAccount, "VCB", "1-2.3", Field::kValue, "4 to 34"},
    {kAccount, "VCB", "12345678901234567890123456789012345", Field::kValue,
     "4 to 34"},
    {kAccount, "VCB", "", Field::kValue, "empty"},
    {kAccount, "", "   ", Field::kValue, "empty"},

    // EWALLET.
    {kWallet, "PAYPAL", "0912345678", Field::kIssuer,
     "unknown e-wallet provider"},
    {kWallet, "", "0912345678", Field::kIssuer, "unknown e-wallet provider"},
    {kWallet, "MOMO", "", Field::kValue, "empty"},
    {kWallet, "MOMO", "  ", Field::kValue, "empty"},
    {kWallet, "MOMO", "user name", Field::kValue, "only letters"},
    {kWallet, "MOMO", "user@name", Field::kValue, "only letters"},
    {kWallet, "MOMO", "12345", Field::kValue, "too short"},

    // CHAT_HANDLE.
    {kChat, "ZALO", "t.me/name", Field::kValue, "link is for TELEGRAM"},
    {kChat, "TELEGRAM", "https://zalo.me/0912345678", Field::kValue,
     "link is for ZALO"},
    {kChat, "TELEGRAM", "fb.com/name", Field::kValue, "link is for FACEBOOK"},
    {kChat, "", "@name", Field::kIssuer, "chat platform is required"},
    {kChat, "", "name", Field::kIssuer, "chat platform is required"},
    {kChat, "", "https://example.com/name", Field::kIssuer,
     "chat platform is required"},
    {kChat, "SKYPE", "name", Field::kIssuer, "unknown chat platform"},
    {kChat, "TELEGRAM", "bad name", Field::kValue, "only letters"},
    {kChat, "TELEGRAM", "name!", Field::kValue, "only letters"},
    {kChat, "TELEGRAM", "tên", Field::kValue, "only letters"},
    {kChat, "TELEGRAM", "example.com/name", Field::kValue, "only letters"},
    {kChat, "TELEGRAM", "", Field::kValue, "empty"},
    {kChat, "TELEGRAM", "@", Field::kValue, "empty"},
    {kChat, "TELEGRAM",
     "a1234567890123456789012345678901234567890123456789012345678901234",
     Field::kValue, "longer than 64"},
    {kChat, "ZALO", "12345", Field::kValue, "too short"},
    // Group and invite links name no account: rejected, not cut down to
    // "g" / "joinchat" / "groups", which would merge every such link.
    {kChat, "", "https://zalo.me/g/abcdef", Field::kValue, "only letters"},
    {kChat, "", "https://t.me/joinchat/AAAAbbbb", Field::kValue,
     "only letters"},
    {kChat, "", "t.me/c/12345/678", Field::kValue, "only letters"},
    {kChat, "", "https://www.facebook.com/groups/123456", Field::kValue,
     "only letters"},
};

TEST(NormalizeIdentifierTest, RejectsWithInvalidArgumentNamingTheField) {
  const FieldNames fields = FieldNames::Nested("contacts[2]");
  for (const RejectCase& c : kRejected) {
    const std::string what = std::string(KindName(c.kind)) + " issuer=\"" +
                             std::string(c.issuer) + "\" value=\"" +
                             std::string(c.value) + "\"";
    absl::StatusOr<Identifier> got =
        NormalizeIdentifier(c.kind, c.issuer, c.value, fields);
    ASSERT_FALSE(got.ok()) << what << " -> " << got->ToString();
    EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument) << what;
    const std::string& field =
        c.field == Field::kIssuer ? fields.issuer : fields.value;
    EXPECT_THAT(Message(got.status()), StartsWith(field + ": ")) << what;
    EXPECT_THAT(Message(got.status()), HasSubstr(c.why)) << what;
  }
}

TEST(FieldNamesTest, Nested) {
  const FieldNames f = FieldNames::Nested("contacts[2]");
  EXPECT_EQ(f.issuer, "contacts[2].issuer");
  EXPECT_EQ(f.value, "contacts[2].value");
  const FieldNames g = FieldNames::Nested("beneficiary");
  EXPECT_EQ(g.issuer, "beneficiary.issuer");
  EXPECT_EQ(g.value, "beneficiary.value");
}

TEST(NormalizeIdentifierTest, UsesTheCallersFieldNames) {
  const FieldNames fields{"beneficiary.bank", "beneficiary.account"};
  absl::StatusOr<Identifier> bad_bank =
      NormalizeIdentifier(kAccount, "NOSUCHBANK", "0123456789", fields);
  ASSERT_FALSE(bad_bank.ok());
  EXPECT_THAT(Message(bad_bank.status()), StartsWith("beneficiary.bank: "));
  EXPECT_THAT(Message(bad_bank.status()), HasSubstr("NOSUCHBANK"));
  absl::StatusOr<Identifier> bad_account =
      NormalizeIdentifier(kAccount, "VCB", "01#23", fields);
  ASSERT_FALSE(bad_account.ok());
  EXPECT_THAT(Message(bad_account.status()),
              StartsWith("beneficiary.account: "));
  EXPECT_THAT(Message(bad_account.status()), HasSubstr("01#23"));
}

TEST(ResolveBankIssuerTest, ResolvesBinsNamesAndAnyBank) {
  struct Case {
    std::string_view bank;
    std::string_view want;
  };
  for (const Case& c : {Case{"970436", "970436"}, Case{"VCB", "970436"},
                        Case{"vietcombank", "970436"}, Case{"BIDV", "970418"},
                        Case{"", "*"}, Case{"*", "*"}, Case{"  ", "*"}}) {
    absl::StatusOr<std::string> got = ResolveBankIssuer(c.bank, "bank");
    ASSERT_TRUE(got.ok()) << c.bank << ": " << got.status();
    EXPECT_EQ(*got, c.want) << c.bank;
  }
}

TEST(ResolveBankIssuerTest, UnknownBankNamesTheField) {
  absl::StatusOr<std::string> got = ResolveBankIssuer("Bank of Nowhere", "f");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(got.status()), StartsWith("f: unknown bank"));
  EXPECT_THAT(Message(got.status()), HasSubstr("Bank of Nowhere"));
}

TEST(ResolveEwalletProviderTest, KnownProvidersAndAliases) {
  struct Case {
    std::string_view name;
    std::string_view want;
  };
  for (const Case& c : {
           Case{"MOMO", "MOMO"},
           Case{"Momo", "MOMO"},
           Case{" MoMo ", "MOMO"},
           Case{"ＭｏＭｏ", "MOMO"},
           Case{"ZaloPay", "ZALOPAY"},
           Case{"Zalo Pay", "ZALOPAY"},
           Case{"Viettel Money", "VIETTELMONEY"},
           Case{"ViettelPay", "VIETTELMONEY"},
           Case{"viettel-pay", "VIETTELMONEY"},
           Case{"VIETTELMONEY", "VIETTELMONEY"},
           Case{"VNPT Money", "VNPTMONEY"},
           Case{"VNPTMONEY", "VNPTMONEY"},
           Case{"ShopeePay", "SHOPEEPAY"},
           Case{"Shopee_Pay", "SHOPEEPAY"},
           Case{"AirPay", "SHOPEEPAY"},
           Case{"VNPay", "VNPAY"},
       }) {
    EXPECT_THAT(ResolveEwalletProvider(c.name), Optional(std::string(c.want)))
        << c.name;
  }
}

TEST(ResolveEwalletProviderTest, UnknownIsNullopt) {
  for (std::string_view name :
       {"", " ", "PayPal", "MOMO2", "Viettel", "Zalo", "VCB", "mo mo x"}) {
    EXPECT_EQ(ResolveEwalletProvider(name), std::nullopt) << name;
  }
}

TEST(LooksLikePhoneTest, DigitsSeparatorsAndLeadingPlus) {
  for (std::string_view yes :
       {"0329123456", "0329 123 456", "+84 32 912 3456", "(+84) 32-912-3456",
        "0329.123.456", "０３２９１２３４５６", " 0329123456 ", "1000123",
        "1"}) {
    EXPECT_TRUE(LooksLikePhone(yes)) << yes;
  }
  for (std::string_view no :
       {"", "   ", "+", "()", "abc", "0329abc456", "0329+123456", "@0329123456",
        "user.name", "0329_123456", "0329123456x"}) {
    EXPECT_FALSE(LooksLikePhone(no)) << no;
  }
}

}  // namespace
}  // namespace fraudgate::core
