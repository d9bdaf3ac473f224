// The identifier model of DESIGN §2: every listed or screened thing is a
// (kind, issuer, value) triple with exactly one canonical form. Values of this
// type are produced by core/normalize.h and are always canonical; the storage
// key is derived from them.
#ifndef FRAUDGATE_CORE_IDENTIFIER_H_
#define FRAUDGATE_CORE_IDENTIFIER_H_

#include <optional>
#include <string>
#include <string_view>

namespace fraudgate::core {

enum class IdentifierKind {
  kPhone = 1,
  kBankAccount = 2,
  kEwallet = 3,
  kChatHandle = 4,
};

// "PHONE", "BANK_ACCOUNT", "EWALLET", "CHAT_HANDLE".
std::string_view KindName(IdentifierKind kind);
// Inverse of KindName (exact, upper case); nullopt for anything else.
std::optional<IdentifierKind> KindFromName(std::string_view name);

// Issuer of a bank account number reported without a bank: it matches the
// number at any bank.
inline constexpr std::string_view kAnyBank = "*";

struct Identifier {
  IdentifierKind kind = IdentifierKind::kPhone;
  // Empty for PHONE; NAPAS BIN or kAnyBank for BANK_ACCOUNT; provider code for
  // EWALLET; platform code for CHAT_HANDLE.
  std::string issuer;
  // Canonical value (E.164 phone, upper-cased account, lower-cased handle...).
  std::string value;

  // Storage key: a kind tag byte, the issuer, 0x1F, the value. Distinct
  // canonical identifiers have distinct keys; keys contain no 0x00 byte, so
  // 0x00 can terminate a key inside composite index keys.
  std::string Key() const;
  // Inverse of Key(); nullopt when `key` is not one.
  static std::optional<Identifier> FromKey(std::string_view key);

  // Human-readable form for tables and API messages:
  // "BANK_ACCOUNT:970436:0123456789", "PHONE:+84329123456".
  std::string ToString() const;
  // The form for logs, which must not carry personal data: ToString() with
  // every character of the value but the last 3 replaced by '*' (all of it
  // when it has 3 or fewer): "BANK_ACCOUNT:970436:*******789",
  // "PHONE:*********456". Kind and issuer (a bank or platform) stay.
  std::string Masked() const;

  friend bool operator==(const Identifier&, const Identifier&) = default;
};

}  // namespace fraudgate::core

#endif  // FRAUDGATE_CORE_IDENTIFIER_H_
