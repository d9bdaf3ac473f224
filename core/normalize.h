// Canonical forms of every identifier kind (DESIGN §2). Normalizing twice
// gives the same result. Anything that cannot be normalized is rejected with
// InvalidArgument whose message starts with the field name given by the
// caller (e.g. "beneficiary.account: ..."), never stored raw, never guessed.
//
// Thread safety: all functions are thread-safe.
#ifndef FRAUDGATE_CORE_NORMALIZE_H_
#define FRAUDGATE_CORE_NORMALIZE_H_

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "core/identifier.h"

namespace fraudgate::core {

// Names the two input fields an identifier came from, for error messages.
struct FieldNames {
  std::string issuer;
  std::string value;
  // "<prefix>.issuer" / "<prefix>.value", e.g. "contacts[2].issuer".
  static FieldNames Nested(std::string_view prefix);
};

// Normalizes (kind, issuer, value) to the canonical Identifier:
// - PHONE: issuer must be empty; value via NormalizePhone.
// - BANK_ACCOUNT: issuer is a BIN, bank name or alias from the built-in
//   BankDirectory, or "*" / empty for "any bank" (stored as "*"); value has
//   spaces, dots and dashes removed, letters upper-cased, leading zeros kept,
//   4..34 characters of [0-9A-Z].
// - EWALLET: issuer is a provider (MOMO, ZALOPAY, VIETTELMONEY, VNPTMONEY,
//   SHOPEEPAY, VNPAY, ... and common aliases); phone-like wallet ids become
//   E.164, others are lower-cased [0-9a-z._-]{1,64}.
// - CHAT_HANDLE: issuer is a platform (ZALO, TELEGRAM, VIBER, MESSENGER,
//   FACEBOOK, WHATSAPP) or empty when the value is a URL naming the platform
//   (t.me/..., zalo.me/..., fb.com/..., m.me/..., wa.me/...); `@Name`,
//   `t.me/Name`, `https://zalo.me/0912345678`, `fb.com/name` forms; phone-based
//   handles become E.164, others lower-case without '@'.
absl::StatusOr<Identifier> NormalizeIdentifier(IdentifierKind kind,
                                               std::string_view issuer,
                                               std::string_view value,
                                               const FieldNames& fields);

// The canonical issuer of a bank account: the bank's BIN, or "*" when `bank`
// is empty or "*". InvalidArgument "<field>: unknown bank ..." otherwise.
absl::StatusOr<std::string> ResolveBankIssuer(std::string_view bank,
                                              std::string_view field);

// The canonical code of an e-wallet provider ("Momo" -> "MOMO",
// "Viettel Money" -> "VIETTELMONEY"); nullopt when not a known provider.
std::optional<std::string> ResolveEwalletProvider(std::string_view name);

// True when `value` consists only of digits, an optional leading '+' and
// phone separators, i.e. it should be read as a phone number.
bool LooksLikePhone(std::string_view value);

}  // namespace fraudgate::core

#endif  // FRAUDGATE_CORE_NORMALIZE_H_
