#include "core/phone.h"

#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/text.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "phonenumbers/phonenumberutil.h"

namespace fraudgate::core {
namespace {

using ::testing::HasSubstr;
using ::testing::Optional;
using ::testing::StartsWith;

// Debian's Abseil returns absl::string_view, which gmock's string matchers do
// not take.
std::string Message(const absl::Status& status) {
  return std::string(status.message());
}

// Every pre-2018 11-digit mobile prefix of DESIGN §2 (after the trunk 0) and
// its current 2-digit replacement.
struct LegacyPrefix {
  std::string_view old_prefix;
  std::string_view modern;
};

constexpr LegacyPrefix kLegacyPrefixes[] = {
    // Viettel 0162-0169 -> 032-039.
    {"162", "32"},
    {"163", "33"},
    {"164", "34"},
    {"165", "35"},
    {"166", "36"},
    {"167", "37"},
    {"168", "38"},
    {"169", "39"},
    // MobiFone.
    {"120", "70"},
    {"121", "79"},
    {"122", "77"},
    {"126", "76"},
    {"128", "78"},
    // VinaPhone.
    {"123", "83"},
    {"124", "84"},
    {"125", "85"},
    {"127", "81"},
    {"129", "82"},
    // Vietnamobile.
    {"186", "56"},
    {"188", "58"},
    // Gmobile.
    {"199", "59"},
};

TEST(ModernMobilePrefixTest, MapsEveryLegacyPrefix) {
  for (const LegacyPrefix& p : kLegacyPrefixes) {
    EXPECT_THAT(ModernMobilePrefix(p.old_prefix), Optional(p.modern))
        << p.old_prefix;
  }
}

TEST(ModernMobilePrefixTest, RejectsEverythingElse) {
  for (std::string_view prefix :
       {"", "1", "16", "161", "170", "130", "187", "189", "198", "032", "0162",
        "1620", "32", "abc"}) {
    EXPECT_EQ(ModernMobilePrefix(prefix), std::nullopt) << prefix;
  }
}

TEST(NormalizePhoneTest, LegacyPrefixesInEveryFormMapToModernE164) {
  // The last 7 digits did not change: 912 3456.
  for (const LegacyPrefix& p : kLegacyPrefixes) {
    const std::string old_prefix(p.old_prefix);
    const std::string want = "+84" + std::string(p.modern) + "9123456";
    const std::vector<std::string> inputs = {
        "0" + old_prefix + " 912 3456",       // 01xx xxx xxxx
        "0" + old_prefix + "9123456",         // 01xxxxxxxxx
        "0" + old_prefix + ".912.3456",       // dots
        "+84 " + old_prefix + " 912 3456",    // +84 1xx ...
        "+84" + old_prefix + "9123456",       // +841xx...
        "84" + old_prefix + "9123456",        // 841xx...
        "0084 " + old_prefix + " 912 3456",   // 0084 1xx ...
        "(+84) " + old_prefix + "-912-3456",  // (+84) 1xx-...
        "+84 0" + old_prefix + " 912 3456",   // trunk 0 kept after +84
    };
    for (const std::string& input : inputs) {
      absl::StatusOr<std::string> got = NormalizePhone(input, "phone");
      ASSERT_TRUE(got.ok()) << input << ": " << got.status();
      EXPECT_EQ(*got, want) << input;
    }
  }
}

struct AcceptCase {
  std::string_view input;
  std::string_view want;
};

constexpr AcceptCase kAccepted[] = {
    // A leading zero that belongs to the number (Italy) is kept, and the
    // result normalizes to itself.
    {"+39 06 1234 5678", "+390612345678"},
    // The forms DESIGN §2 lists.
    {"0329 123 456", "+84329123456"},
    {"0329123456", "+84329123456"},
    {"+84 32 912 3456", "+84329123456"},
    {"+84329123456", "+84329123456"},
    {"84329123456", "+84329123456"},
    {"0084329123456", "+84329123456"},
    {"0084 329 123 456", "+84329123456"},
    {"(+84) 32-912-3456", "+84329123456"},
    {"(+84)329123456", "+84329123456"},
    {"0329.123.456", "+84329123456"},
    {"0329-123-456", "+84329123456"},
    {"(032) 912 3456", "+84329123456"},
    {"  0329 123 456  ", "+84329123456"},
    {"\t0329123456\n", "+84329123456"},
    // Full-width digits, plus and ideographic space.
    {"０３２９１２３４５６", "+84329123456"},
    {"＋８４　３２９　１２３　４５６", "+84329123456"},
    // Trunk 0 kept after the country code.
    {"+84 0329 123 456", "+84329123456"},
    {"0084 0329 123 456", "+84329123456"},
    // National number without the trunk 0.
    {"329123456", "+84329123456"},
    // Other Vietnamese ranges.
    {"0912 345 678", "+84912345678"},
    {"0841234567", "+84841234567"},
    {"+84 84 123 4567", "+84841234567"},
    {"024 3826 1234", "+842438261234"},
    {"+84 24 3826 1234", "+842438261234"},
    // Foreign numbers with '+' or '00'.
    {"+1 650 253 0000", "+16502530000"},
    {"+1 (650) 253-0000", "+16502530000"},
    {"001 650 253 0000", "+16502530000"},
    {"0044 20 7946 0958", "+442079460958"},
    {"+44 20 7946 0958", "+442079460958"},
    {"+65 6123 4567", "+6561234567"},
    // A 15-digit E.164 number is as acceptable after "00" as after "+".
    {"+49 30 12345678901", "+493012345678901"},
    {"0049 30 12345678901", "+493012345678901"},
};

TEST(NormalizePhoneTest, AcceptsEveryDocumentedForm) {
  for (const AcceptCase& c : kAccepted) {
    absl::StatusOr<std::string> got = NormalizePhone(c.input, "phone");
    ASSERT_TRUE(got.ok()) << c.input << ": " << got.status();
    EXPECT_EQ(*got, c.want) << c.input;
  }
}

TEST(NormalizePhoneTest, IsIdempotent) {
  std::vector<std::string> inputs;
  for (const AcceptCase& c : kAccepted) inputs.emplace_back(c.input);
  for (const LegacyPrefix& p : kLegacyPrefixes) {
    inputs.push_back(StrCat("0", p.old_prefix, " 912 3456"));
    inputs.push_back(StrCat("84", p.old_prefix, "9123456"));
  }
  for (const std::string& input : inputs) {
    absl::StatusOr<std::string> once = NormalizePhone(input, "phone");
    ASSERT_TRUE(once.ok()) << input << ": " << once.status();
    absl::StatusOr<std::string> twice = NormalizePhone(*once, "phone");
    ASSERT_TRUE(twice.ok()) << *once << ": " << twice.status();
    EXPECT_EQ(*twice, *once) << input;
  }
}

struct RejectCase {
  std::string_view input;
  std::string_view why;  // a substring of the message
};

constexpr RejectCase kRejected[] = {
    // Extra zeros after the country code: a second pass would read the
    // result differently (found by phone_fuzzer).
    {"+49 0004 2058", "ambiguous"},
    {"8400041645617", "ambiguous"},
    {"0084 0080 4044", "ambiguous"},
    {"84 00123 018 9456", "ambiguous"},
    {"0329abc456", "only digits"},
    {"abc", "only digits"},
    {"0329_123_456", "only digits"},
    {"0329123456x", "only digits"},
    {"12345", "too short"},
    {"0329", "too short"},
    {"0329123456789", "too long"},
    {"+84 329 123 456 789", "too long"},
    {"+1234567890123456", "too long"},
    {"001234567890123456", "too long"},
    {"", "empty"},
    {"   ", "empty"},
    {"\t\n", "empty"},
    {"　", "empty"},  // ideographic space only
    {"+", "no digits"},
    {"( ) - .", "no digits"},
    {"0329+123456", "only digits"},
    {"84+329123456", "only digits"},
    {"++84329123456", "only digits"},
    {"+84 329 123 456+", "only digits"},
};

TEST(NormalizePhoneTest, RejectsWithInvalidArgumentNamingTheField) {
  for (const RejectCase& c : kRejected) {
    absl::StatusOr<std::string> got =
        NormalizePhone(c.input, "beneficiary.phone");
    ASSERT_FALSE(got.ok()) << c.input << " -> " << *got;
    EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument)
        << c.input;
    EXPECT_THAT(Message(got.status()), StartsWith("beneficiary.phone: "))
        << c.input;
    EXPECT_THAT(Message(got.status()), HasSubstr(c.why)) << c.input;
  }
}

TEST(NormalizePhoneTest, ErrorUsesTheFieldNameItIsGiven) {
  absl::StatusOr<std::string> got = NormalizePhone("0329abc456", "contacts[3]");
  ASSERT_FALSE(got.ok());
  EXPECT_THAT(Message(got.status()), StartsWith("contacts[3]: "));
  EXPECT_THAT(Message(got.status()), HasSubstr("0329abc456"));
}

// What libphonenumber itself makes of the Vietnamese significant number
// `nsn`: its E.164 form when possible, nullopt otherwise.
std::optional<std::string> LibphonenumberE164(const std::string& nsn) {
  using ::i18n::phonenumbers::PhoneNumber;
  using ::i18n::phonenumbers::PhoneNumberUtil;
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  PhoneNumber number;
  if (util.Parse("+84" + nsn, "VN", &number) !=
          PhoneNumberUtil::NO_PARSING_ERROR ||
      util.IsPossibleNumberWithReason(number) != PhoneNumberUtil::IS_POSSIBLE) {
    return std::nullopt;
  }
  std::string e164;
  util.Format(number, PhoneNumberUtil::E164, &e164);
  return e164;
}

// NormalizePhone answers common Vietnamese numbers without libphonenumber;
// it must agree with libphonenumber on every leading digit and length, in
// national and international form.
TEST(NormalizePhoneTest, VietnameseNumbersAgreeWithLibphonenumber) {
  std::mt19937 rng(7);
  for (char first = '1'; first <= '9'; ++first) {
    for (size_t length = 5; length <= 12; ++length) {
      for (int i = 0; i < 40; ++i) {
        std::string nsn(1, first);
        while (nsn.size() < length) nsn.push_back('0' + rng() % 10);
        // Legacy 11-digit mobiles are remapped first (tested above).
        if (length == 10 && ModernMobilePrefix(nsn.substr(0, 3))) continue;
        const std::optional<std::string> expected = LibphonenumberE164(nsn);
        // What the fast path assumes of libphonenumber's metadata.
        EXPECT_EQ(expected.has_value(), length >= 7 && length <= 10) << nsn;
        for (const std::string& form : {"0" + nsn, "+84" + nsn}) {
          SCOPED_TRACE(form);
          absl::StatusOr<std::string> got = NormalizePhone(form, "phone");
          if (expected.has_value()) {
            ASSERT_TRUE(got.ok()) << got.status();
            EXPECT_EQ(*got, *expected);
          } else {
            EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument);
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace fraudgate::core
