// Fuzz target for core::NormalizeIdentifier. The first input byte picks a
// (kind, issuer) pair from kIssuers, the rest is the value.
// Invariants: an error is INVALID_ARGUMENT naming the issuer or value field;
// a result has the requested kind, a non-empty issuer (empty for PHONE), and
// is a fixed point: normalizing its canonical value with its canonical issuer
// gives the same identifier and the same Key(); Key() contains no 0x00 byte
// and FromKey(Key()) gives the identifier back. Masked() (the form for logs)
// is valid UTF-8, keeps kind and issuer, shows at most the value's last 3
// characters and nothing when the value has 3 or fewer.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "core/identifier.h"
#include "core/normalize.h"
#include "core/text.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using fraudgate::core::Identifier;
using fraudgate::core::IdentifierKind;

struct KindIssuer {
  IdentifierKind kind;
  std::string_view issuer;
};

constexpr KindIssuer kIssuers[] = {
    {IdentifierKind::kBankAccount, "VCB"},
    {IdentifierKind::kBankAccount, "970436"},
    {IdentifierKind::kBankAccount, "*"},
    {IdentifierKind::kBankAccount, ""},
    {IdentifierKind::kBankAccount, "techcombank"},
    {IdentifierKind::kBankAccount, "NOT-A-BANK"},
    {IdentifierKind::kEwallet, "MOMO"},
    {IdentifierKind::kEwallet, "Viettel Money"},
    {IdentifierKind::kEwallet, "bogus wallet"},
    {IdentifierKind::kChatHandle, "TELEGRAM"},
    {IdentifierKind::kChatHandle, "ZALO"},
    {IdentifierKind::kChatHandle, "facebook"},
    {IdentifierKind::kChatHandle, ""},
    {IdentifierKind::kChatHandle, "icq"},
    {IdentifierKind::kPhone, ""},
    {IdentifierKind::kPhone, "VN"},
};

const fraudgate::core::FieldNames kFields{"id.issuer", "id.value"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const KindIssuer& pick = kIssuers[data[0] % std::size(kIssuers)];
  const std::string_view value(reinterpret_cast<const char*>(data) + 1,
                               size - 1);
  const auto id = fraudgate::core::NormalizeIdentifier(pick.kind, pick.issuer,
                                                       value, kFields);
  if (!id.ok()) {
    const absl::Status& s = id.status();
    FUZZ_CHECK(s.code() == absl::StatusCode::kInvalidArgument) << s;
    FUZZ_CHECK(absl::StartsWith(s.message(), "id.issuer: ") ||
               absl::StartsWith(s.message(), "id.value: "))
        << s;
    return 0;
  }
  FUZZ_CHECK(id->kind == pick.kind) << id->ToString();
  FUZZ_CHECK(id->issuer.empty() == (pick.kind == IdentifierKind::kPhone))
      << id->ToString();
  FUZZ_CHECK(!id->value.empty()) << id->ToString();

  const auto again = fraudgate::core::NormalizeIdentifier(id->kind, id->issuer,
                                                          id->value, kFields);
  FUZZ_CHECK(again.ok()) << id->ToString() << " -> " << again.status();
  FUZZ_CHECK(*again == *id) << id->ToString() << " -> " << again->ToString();
  const std::string key = id->Key();
  FUZZ_CHECK(again->Key() == key) << id->ToString();
  FUZZ_CHECK(key.find('\0') == std::string::npos) << id->ToString();
  const auto parsed = Identifier::FromKey(key);
  FUZZ_CHECK(parsed.has_value() && *parsed == *id) << id->ToString();

  const std::string masked = id->Masked();
  const std::string full = id->ToString();
  const size_t prefix = full.size() - id->value.size();
  FUZZ_CHECK(fraudgate::core::IsValidUtf8(masked)) << full;
  FUZZ_CHECK(masked.compare(0, prefix, full, 0, prefix) == 0) << masked;
  const size_t stars = masked.find_first_not_of('*', prefix);
  const std::string shown =
      stars == std::string::npos ? "" : masked.substr(stars);
  FUZZ_CHECK(absl::EndsWith(id->value, shown)) << masked;
  FUZZ_CHECK(shown.size() < id->value.size()) << masked;  // never all of it
  const auto code_points = std::count_if(
      shown.begin(), shown.end(),
      [](char c) { return (static_cast<uint8_t>(c) & 0xC0) != 0x80; });
  FUZZ_CHECK(code_points <= 3) << masked;
  return 0;
}
