#include "core/phone.h"

#include <array>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/text.h"
#include "phonenumbers/phonenumberutil.h"

namespace fraudgate::core {
namespace {

using ::i18n::phonenumbers::PhoneNumber;
using ::i18n::phonenumbers::PhoneNumberUtil;

// Pre-2018 Vietnamese mobile prefixes (after the trunk 0) and their current
// replacements; the last 7 digits did not change. libphonenumber 8.12 rejects
// the old forms, and old police records still use them.
constexpr std::array<std::pair<std::string_view, std::string_view>, 21>
    kLegacyPrefixes = {{
        // Viettel
        {"162", "32"},
        {"163", "33"},
        {"164", "34"},
        {"165", "35"},
        {"166", "36"},
        {"167", "37"},
        {"168", "38"},
        {"169", "39"},
        // MobiFone
        {"120", "70"},
        {"121", "79"},
        {"122", "77"},
        {"126", "76"},
        {"128", "78"},
        // VinaPhone
        {"123", "83"},
        {"124", "84"},
        {"125", "85"},
        {"127", "81"},
        {"129", "82"},
        // Vietnamobile
        {"186", "56"},
        {"188", "58"},
        // Gmobile
        {"199", "59"},
    }};

absl::Status Invalid(std::string_view field, std::string_view what,
                     std::string_view raw) {
  return absl::InvalidArgumentError(
      StrCat(field, ": ", what, " (got \"", raw, "\")"));
}

}  // namespace

std::optional<std::string_view> ModernMobilePrefix(
    std::string_view old_prefix) {
  if (old_prefix.empty()) return std::nullopt;
  for (const auto& [from, to] : kLegacyPrefixes) {
    if (from == old_prefix) return to;
  }
  return std::nullopt;
}

namespace {

// One pass of NormalizePhone. `*national` tells whether the input was a
// Vietnamese number in national form (one trunk 0, no "+" or "00").
absl::StatusOr<std::string> Canonicalize(std::string_view raw,
                                         std::string_view field,
                                         bool* national) {
  const std::string folded = FoldWidthAndTrim(raw);
  if (folded.empty()) return Invalid(field, "phone number is empty", raw);

  // Keep digits and a leading '+'; allow the usual visual separators.
  std::string digits;
  bool plus = false;
  for (char c : folded) {
    if (c >= '0' && c <= '9') {
      digits.push_back(c);
    } else if (c == '+' && digits.empty() && !plus) {
      plus = true;
    } else if (c == ' ' || c == '.' || c == '-' || c == '(' || c == ')' ||
               c == '/') {
      continue;
    } else {
      return Invalid(field,
                     "phone number may contain only digits, '+', spaces, dots, "
                     "dashes and parentheses",
                     raw);
    }
  }
  if (digits.empty()) return Invalid(field, "phone number has no digits", raw);

  // Split into "international" (country code + number) or Vietnamese national
  // significant number, so the legacy prefix map applies to every form.
  bool international = plus;
  if (!plus && digits.starts_with("00")) {
    international = true;
    digits.erase(0, 2);
  }
  *national = !international && digits.starts_with("0");
  // E.164 allows 15 digits; checked after "00" is gone so that "00" and "+"
  // accept the same numbers.
  if (digits.size() > 15)
    return Invalid(field, "phone number is too long", raw);
  std::string vn_nsn;  // set when the number is Vietnamese
  if (international) {
    if (digits.starts_with("84")) vn_nsn = digits.substr(2);
  } else if (digits.starts_with("0")) {
    vn_nsn = digits.substr(1);
  } else if (digits.starts_with("84") && digits.size() >= 11) {
    // "84329123456": the country code written without '+'. A national number
    // always starts with the trunk 0, so this is unambiguous.
    vn_nsn = digits.substr(2);
  } else {
    vn_nsn = digits;  // national number without its trunk 0
  }
  // "+84 0162 912 3456": the trunk 0 is often kept after the country code.
  // libphonenumber drops it anyway; drop it here so that the legacy prefix
  // map below sees the number too.
  if (vn_nsn.starts_with("0")) vn_nsn.erase(0, 1);

  std::string to_parse;
  if (international && !digits.starts_with("84")) {
    to_parse = StrCat("+", digits);
  } else {
    if (vn_nsn.size() == 10) {
      if (auto modern =
              ModernMobilePrefix(std::string_view(vn_nsn).substr(0, 3))) {
        vn_nsn = StrCat(*modern, vn_nsn.substr(3));
      }
    }
    // A Vietnamese significant number of 7 to 10 digits not starting with 0
    // is possible, and its E.164 form is "+84" and the digits: libphonenumber
    // adds nothing for these (phone_test checks it over every leading digit
    // and length), and its ICU regex parsing was most of an offline import's
    // phone cost.
    if (vn_nsn.size() >= 7 && vn_nsn.size() <= 10 && vn_nsn[0] != '0') {
      return StrCat("+84", vn_nsn);
    }
    to_parse = StrCat("+84", vn_nsn);
  }

  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  PhoneNumber number;
  if (util.Parse(to_parse, "VN", &number) !=
      PhoneNumberUtil::NO_PARSING_ERROR) {
    return Invalid(field, "not a phone number", raw);
  }
  switch (util.IsPossibleNumberWithReason(number)) {
    case PhoneNumberUtil::IS_POSSIBLE:
      break;
    case PhoneNumberUtil::TOO_SHORT:
      return Invalid(field, "phone number is too short", raw);
    case PhoneNumberUtil::TOO_LONG:
      return Invalid(field, "phone number is too long", raw);
    case PhoneNumberUtil::INVALID_COUNTRY_CODE:
      return Invalid(field, "phone number has an unknown country code", raw);
    default:
      return Invalid(field, "phone number has an impossible length", raw);
  }
  std::string e164;
  util.Format(number, PhoneNumberUtil::E164, &e164);
  return e164;
}

}  // namespace

absl::StatusOr<std::string> NormalizePhone(std::string_view raw,
                                           std::string_view field) {
  bool national = false;
  absl::StatusOr<std::string> e164 = Canonicalize(raw, field, &national);
  if (!e164.ok()) return e164;
  // The national form ("0329 123 456", the common one, on the screening
  // path) has exactly one leading zero, and its result normalizes to itself.
  if (national) return e164;
  // Extra zeros after the country code ("+84 00 123…", "+49 0004…") leave a
  // number that a second pass reads differently (libphonenumber keeps some
  // of them; the legacy prefix map then applies): such input is ambiguous,
  // and a canonical form must normalize to itself (found by fuzzing).
  absl::StatusOr<std::string> again = Canonicalize(*e164, field, &national);
  if (!again.ok() || *again != *e164) {
    return Invalid(field,
                   "phone number is ambiguous (extra zeros after the country "
                   "code?)",
                   raw);
  }
  return e164;
}

}  // namespace fraudgate::core
