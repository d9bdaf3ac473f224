#include "store/keys.h"

#include "core/identifier.h"
#include "core/text.h"

namespace fraudgate::store {
namespace {

std::string Invert(std::string_view bytes) {
  std::string out(bytes);
  for (char& c : out) c = static_cast<char>(~static_cast<unsigned char>(c));
  return out;
}

}  // namespace

std::string BigEndian64(uint64_t v) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<char>(v & 0xFF);
    v >>= 8;
  }
  return out;
}

uint64_t ReadBigEndian64(std::string_view bytes) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i)
    v = (v << 8) | static_cast<unsigned char>(bytes[i]);
  return v;
}

std::string EntityKey(const v1::Identifier& canonical) {
  return core::Identifier{static_cast<core::IdentifierKind>(canonical.kind()),
                          canonical.issuer(), canonical.value()}
      .Key();
}

std::string ReportKey(std::string_view agency, std::string_view report_id) {
  return core::StrCat(agency, "\x1f", report_id);
}

std::string AuditKey(uint64_t sequence) { return BigEndian64(sequence); }

std::string HitKey(absl::Time at, uint32_t sequence) {
  std::string key = BigEndian64(static_cast<uint64_t>(absl::ToUnixMicros(at)));
  for (int shift = 24; shift >= 0; shift -= 8) {
    key.push_back(static_cast<char>((sequence >> shift) & 0xFF));
  }
  return key;
}

absl::Time HitKeyTime(std::string_view hit_key) {
  return absl::FromUnixMicros(static_cast<int64_t>(ReadBigEndian64(hit_key)));
}

std::string HitIdFromKey(std::string_view hit_key) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  for (unsigned char c : hit_key) {
    id.push_back(kHex[c >> 4]);
    id.push_back(kHex[c & 0xF]);
  }
  return id;
}

std::optional<std::string> HitKeyFromId(std::string_view hit_id) {
  if (hit_id.size() != 2 * kHitKeySize) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string key;
  for (size_t i = 0; i < hit_id.size(); i += 2) {
    const int hi = nibble(hit_id[i]);
    const int lo = nibble(hit_id[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    key.push_back(static_cast<char>(hi << 4 | lo));
  }
  return key;
}

std::string IdentifierIndexPrefix(std::string_view identifier_key) {
  std::string prefix(identifier_key);
  prefix.push_back('\0');
  return prefix;
}

std::string IdentifierIndexKey(std::string_view identifier_key,
                               std::string_view hit_key) {
  return IdentifierIndexPrefix(identifier_key) + Invert(hit_key);
}

std::string HitKeyFromIdentifierIndex(std::string_view index_key,
                                      size_t prefix_size) {
  return Invert(index_key.substr(prefix_size));
}

std::string TransferKey(std::string_view caller, std::string_view transfer_id) {
  std::string key(caller);
  key.push_back('\0');
  key.append(transfer_id);
  return key;
}

}  // namespace fraudgate::store
