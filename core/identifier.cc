#include "core/identifier.h"

#include <vector>

#include "core/text.h"

namespace fraudgate::core {
namespace {

constexpr char kSeparator = '\x1f';

char KindTag(IdentifierKind kind) {
  switch (kind) {
    case IdentifierKind::kPhone:
      return 'P';
    case IdentifierKind::kBankAccount:
      return 'A';
    case IdentifierKind::kEwallet:
      return 'W';
    case IdentifierKind::kChatHandle:
      return 'H';
  }
  return '?';
}

}  // namespace

std::string_view KindName(IdentifierKind kind) {
  switch (kind) {
    case IdentifierKind::kPhone:
      return "PHONE";
    case IdentifierKind::kBankAccount:
      return "BANK_ACCOUNT";
    case IdentifierKind::kEwallet:
      return "EWALLET";
    case IdentifierKind::kChatHandle:
      return "CHAT_HANDLE";
  }
  return "UNKNOWN";
}

std::optional<IdentifierKind> KindFromName(std::string_view name) {
  for (IdentifierKind kind :
       {IdentifierKind::kPhone, IdentifierKind::kBankAccount,
        IdentifierKind::kEwallet, IdentifierKind::kChatHandle}) {
    if (KindName(kind) == name) return kind;
  }
  return std::nullopt;
}

std::string Identifier::Key() const {
  std::string key;
  key.reserve(2 + issuer.size() + value.size());
  key.push_back(KindTag(kind));
  key.append(issuer);
  key.push_back(kSeparator);
  key.append(value);
  return key;
}

std::optional<Identifier> Identifier::FromKey(std::string_view key) {
  if (key.empty()) return std::nullopt;
  Identifier id;
  switch (key[0]) {
    case 'P':
      id.kind = IdentifierKind::kPhone;
      break;
    case 'A':
      id.kind = IdentifierKind::kBankAccount;
      break;
    case 'W':
      id.kind = IdentifierKind::kEwallet;
      break;
    case 'H':
      id.kind = IdentifierKind::kChatHandle;
      break;
    default:
      return std::nullopt;
  }
  size_t sep = key.find(kSeparator, 1);
  if (sep == std::string_view::npos) return std::nullopt;
  id.issuer = std::string(key.substr(1, sep - 1));
  id.value = std::string(key.substr(sep + 1));
  return id;
}

std::string Identifier::ToString() const {
  if (issuer.empty()) return StrCat(KindName(kind), ":", value);
  return StrCat(KindName(kind), ":", issuer, ":", value);
}

std::string Identifier::Masked() const {
  // Masks by code point, so a multi-byte character is never cut in half.
  std::vector<size_t> starts;  // byte offset of each code point
  for (size_t i = 0; i < value.size(); ++i) {
    if ((static_cast<unsigned char>(value[i]) & 0xC0) != 0x80) {
      starts.push_back(i);
    }
  }
  constexpr size_t kKept = 3;
  const size_t masked =
      starts.size() > kKept ? starts.size() - kKept : starts.size();
  std::string out = issuer.empty() ? StrCat(KindName(kind), ":")
                                   : StrCat(KindName(kind), ":", issuer, ":");
  out.append(masked, '*');
  if (masked < starts.size()) out.append(value, starts[masked]);
  return out;
}

}  // namespace fraudgate::core
