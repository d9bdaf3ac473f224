#include "core/normalize.h"

#include <array>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/bank_directory.h"
#include "core/phone.h"
#include "core/status_macros.h"
#include "core/text.h"

namespace fraudgate::core {
namespace {

absl::Status Invalid(std::string_view field, std::string_view what) {
  return absl::InvalidArgumentError(StrCat(field, ": ", what));
}

struct Alias {
  std::string_view folded;
  std::string_view code;
};

constexpr std::array<Alias, 17> kEwalletProviders = {{
    {"momo", "MOMO"},
    {"zalopay", "ZALOPAY"},
    {"viettelmoney", "VIETTELMONEY"},
    {"viettelpay", "VIETTELMONEY"},
    {"vnptmoney", "VNPTMONEY"},
    {"vnptpay", "VNPTMONEY"},
    {"shopeepay", "SHOPEEPAY"},
    {"airpay", "SHOPEEPAY"},
    {"vnpay", "VNPAY"},
    {"vnpayewallet", "VNPAY"},
    {"moca", "MOCA"},
    {"grabpay", "MOCA"},
    {"payoo", "PAYOO"},
    {"onepay", "ONEPAY"},
    {"appotapay", "APPOTAPAY"},
    {"foxpay", "FOXPAY"},
    {"mobifonemoney", "MOBIFONEMONEY"},
}};

constexpr std::array<Alias, 12> kChatPlatforms = {{
    {"zalo", "ZALO"},
    {"telegram", "TELEGRAM"},
    {"tg", "TELEGRAM"},
    {"viber", "VIBER"},
    {"messenger", "MESSENGER"},
    {"facebookmessenger", "MESSENGER"},
    {"facebook", "FACEBOOK"},
    {"fb", "FACEBOOK"},
    {"whatsapp", "WHATSAPP"},
    {"wa", "WHATSAPP"},
    {"tiktok", "TIKTOK"},
    {"instagram", "INSTAGRAM"},
}};

// URL hosts that name a chat platform.
constexpr std::array<Alias, 12> kChatHosts = {{
    {"t.me", "TELEGRAM"},
    {"telegram.me", "TELEGRAM"},
    {"telegram.dog", "TELEGRAM"},
    {"zalo.me", "ZALO"},
    {"chat.zalo.me", "ZALO"},
    {"fb.com", "FACEBOOK"},
    {"facebook.com", "FACEBOOK"},
    {"m.facebook.com", "FACEBOOK"},
    {"m.me", "MESSENGER"},
    {"messenger.com", "MESSENGER"},
    {"wa.me", "WHATSAPP"},
    {"viber.me", "VIBER"},
}};

// Platforms whose accounts are phone numbers: a phone-like handle on them is
// canonical as E.164.
bool PhoneBasedPlatform(std::string_view code) {
  return code == "ZALO" || code == "VIBER" || code == "WHATSAPP";
}

template <size_t N>
std::optional<std::string> Lookup(const std::array<Alias, N>& table,
                                  std::string_view key) {
  for (const Alias& a : table) {
    if (a.folded == key) return std::string(a.code);
  }
  return std::nullopt;
}

bool IsHandleChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

absl::StatusOr<std::string> NormalizeAccountNumber(std::string_view raw,
                                                   std::string_view field) {
  const std::string folded = FoldWidthAndTrim(raw);
  if (folded.empty()) return Invalid(field, "account number is empty");
  std::string out;
  for (char c : folded) {
    if (c == ' ' || c == '.' || c == '-') continue;
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'))) {
      return Invalid(field, StrCat("account number may contain only digits and "
                                   "letters (got \"",
                                   raw, "\")"));
    }
    out.push_back(c);
  }
  if (out.size() < 4 || out.size() > 34) {
    return Invalid(field, StrCat("account number must have 4 to 34 "
                                 "digits or letters (got \"",
                                 raw, "\")"));
  }
  return out;
}

// Lower-cased [0-9a-z._-]{1,64}, or E.164 when `phone_like` and the value
// looks like a phone number.
absl::StatusOr<std::string> NormalizeHandleValue(std::string_view value,
                                                 bool phone_based,
                                                 std::string_view field) {
  if (phone_based && LooksLikePhone(value)) return NormalizePhone(value, field);
  std::string out = AsciiLower(value);
  if (out.empty()) return Invalid(field, "handle is empty");
  if (out.size() > 64)
    return Invalid(field, "handle is longer than 64 characters");
  for (char c : out) {
    if (!IsHandleChar(c)) {
      return Invalid(field, StrCat("handle may contain only letters, "
                                   "digits, '.', '_' and '-' (got \"",
                                   value, "\")"));
    }
  }
  return out;
}

struct ParsedHandle {
  std::optional<std::string> platform;  // from the URL host, if any
  std::string handle;
};

// Strips "@", "https://", a known host (with or without "www.") and trailing
// "/", "?..." from a handle, remembering the platform the host names. "www."
// goes only with a host: a handle that itself starts with it is kept, so that
// normalizing twice gives the same handle.
ParsedHandle ParseHandle(std::string_view folded) {
  std::string_view v = folded;
  for (std::string_view scheme : {"https://", "http://"}) {
    if (v.size() >= scheme.size() &&
        AsciiLower(v.substr(0, scheme.size())) == scheme) {
      v.remove_prefix(scheme.size());
    }
  }
  ParsedHandle out;
  size_t slash = v.find('/');
  if (slash != std::string_view::npos) {
    std::string host = AsciiLower(v.substr(0, slash));
    if (host.starts_with("www.")) host.erase(0, 4);
    for (const Alias& a : kChatHosts) {
      if (a.folded == host) {
        out.platform = std::string(a.code);
        v.remove_prefix(slash + 1);
        break;
      }
    }
    if (out.platform) {
      // fb.com/profile.php?id=1000123 names the numeric profile id.
      constexpr std::string_view kProfile = "profile.php?id=";
      if (v.starts_with(kProfile)) {
        v.remove_prefix(kProfile.size());
        v = v.substr(0, v.find('&'));
      }
      // Only the first path segment names an account ("t.me/Name/"); deeper
      // paths ("zalo.me/g/<code>", "t.me/joinchat/<hash>",
      // "facebook.com/groups/<id>") name groups or invites, and cutting them
      // to their first segment would merge them all into one identifier.
      // Keep the '/' so that they are rejected below.
      v = v.substr(0, v.find_first_of("?#"));
      while (v.ends_with('/')) v.remove_suffix(1);
    }
  }
  if (v.starts_with("@")) v.remove_prefix(1);
  out.handle = std::string(v);
  return out;
}

}  // namespace

FieldNames FieldNames::Nested(std::string_view prefix) {
  return FieldNames{StrCat(prefix, ".issuer"), StrCat(prefix, ".value")};
}

bool LooksLikePhone(std::string_view value) {
  const std::string folded = FoldWidthAndTrim(value);
  int digits = 0;
  for (size_t i = 0; i < folded.size(); ++i) {
    char c = folded[i];
    if (c >= '0' && c <= '9') {
      ++digits;
    } else if (!(c == ' ' || c == '.' || c == '-' || c == '(' || c == ')' ||
                 (c == '+' && digits == 0))) {
      return false;
    }
  }
  return digits > 0;
}

absl::StatusOr<std::string> ResolveBankIssuer(std::string_view bank,
                                              std::string_view field) {
  const std::string folded = FoldWidthAndTrim(bank);
  if (folded.empty() || folded == kAnyBank) return std::string(kAnyBank);
  const Bank* found = BankDirectory::BuiltIn().Find(folded);
  if (found == nullptr) {
    return Invalid(field, StrCat("unknown bank \"", bank,
                                 "\" (give a NAPAS BIN, e.g. 970436, or "
                                 "a bank short name, e.g. VCB)"));
  }
  return found->bin;
}

std::optional<std::string> ResolveEwalletProvider(std::string_view name) {
  return Lookup(kEwalletProviders, FoldName(name));
}

absl::StatusOr<Identifier> NormalizeIdentifier(IdentifierKind kind,
                                               std::string_view issuer,
                                               std::string_view value,
                                               const FieldNames& fields) {
  Identifier id;
  id.kind = kind;
  switch (kind) {
    case IdentifierKind::kPhone: {
      if (!FoldWidthAndTrim(issuer).empty()) {
        return Invalid(fields.issuer, "must be empty for a PHONE identifier");
      }
      ASSIGN_OR_RETURN(id.value, NormalizePhone(value, fields.value));
      return id;
    }
    case IdentifierKind::kBankAccount: {
      ASSIGN_OR_RETURN(id.issuer, ResolveBankIssuer(issuer, fields.issuer));
      ASSIGN_OR_RETURN(id.value, NormalizeAccountNumber(value, fields.value));
      return id;
    }
    case IdentifierKind::kEwallet: {
      std::optional<std::string> provider = ResolveEwalletProvider(issuer);
      if (!provider) {
        return Invalid(fields.issuer,
                       StrCat("unknown e-wallet provider \"", issuer,
                              "\" (e.g. MOMO, ZALOPAY, VIETTELMONEY)"));
      }
      id.issuer = *std::move(provider);
      const std::string folded = FoldWidthAndTrim(value);
      if (folded.empty()) return Invalid(fields.value, "wallet id is empty");
      if (LooksLikePhone(folded)) {
        ASSIGN_OR_RETURN(id.value, NormalizePhone(folded, fields.value));
      } else {
        ASSIGN_OR_RETURN(id.value,
                         NormalizeHandleValue(folded, false, fields.value));
      }
      return id;
    }
    case IdentifierKind::kChatHandle: {
      ParsedHandle parsed = ParseHandle(FoldWidthAndTrim(value));
      std::optional<std::string> platform;
      if (!FoldWidthAndTrim(issuer).empty()) {
        platform = Lookup(kChatPlatforms, FoldName(issuer));
        if (!platform) {
          return Invalid(fields.issuer,
                         StrCat("unknown chat platform \"", issuer,
                                "\" (e.g. ZALO, TELEGRAM, VIBER)"));
        }
        // fb.com links are also how Messenger accounts are given.
        const bool compatible =
            !parsed.platform || *parsed.platform == *platform ||
            (*platform == "MESSENGER" && *parsed.platform == "FACEBOOK");
        if (!compatible) {
          return Invalid(fields.value, StrCat("link is for ", *parsed.platform,
                                              ", not ", *platform));
        }
      } else if (parsed.platform) {
        platform = parsed.platform;
      } else {
        return Invalid(fields.issuer, "chat platform is required");
      }
      id.issuer = *std::move(platform);
      ASSIGN_OR_RETURN(
          id.value,
          NormalizeHandleValue(parsed.handle, PhoneBasedPlatform(id.issuer),
                               fields.value));
      return id;
    }
  }
  return Invalid(fields.value, "unknown identifier kind");
}

}  // namespace fraudgate::core
