#include "core/memo.h"

#include <algorithm>
#include <string>

#include "core/normalize.h"
#include "core/phone.h"
#include "core/text.h"

namespace fraudgate::core {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlnum(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool IsSeparator(char c) { return c == ' ' || c == '.' || c == '-'; }

void AddUnique(std::vector<Identifier>* out, Identifier id) {
  if (out->size() >= kMaxMemoTokens) return;
  if (std::find(out->begin(), out->end(), id) == out->end()) {
    out->push_back(std::move(id));
  }
}

// Byte offset just past the first `max_chars` code points of `text`.
size_t PrefixBytes(std::string_view text, size_t max_chars) {
  size_t chars = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      if (chars == max_chars) return i;
      ++chars;
    }
  }
  return text.size();
}

}  // namespace

size_t Utf8Length(std::string_view text) {
  size_t n = 0;
  for (char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

std::vector<Identifier> ExtractMemoIdentifiers(std::string_view memo) {
  const std::string text =
      FoldWidthAndTrim(memo.substr(0, PrefixBytes(memo, kMaxMemoChars)));
  std::vector<Identifier> out;
  size_t i = 0;
  while (i < text.size() && out.size() < kMaxMemoTokens) {
    const char c = text[i];
    const bool starts_word = i == 0 || !IsAlnum(text[i - 1]);
    if (c == '@' && (i == 0 || !IsAlnum(text[i - 1]))) {
      size_t j = i + 1;
      while (j < text.size() && (IsAlnum(text[j]) || text[j] == '_')) ++j;
      const size_t len = j - i - 1;
      if (len >= 5 && len <= 32) {
        AddUnique(&out, Identifier{IdentifierKind::kChatHandle, "TELEGRAM",
                                   AsciiLower(text.substr(i + 1, len))});
      }
      i = std::max(j, i + 1);
      continue;
    }
    const bool plus_start =
        c == '+' && i + 1 < text.size() && IsDigit(text[i + 1]);
    if (starts_word && (IsDigit(c) || plus_start)) {
      size_t j = plus_start ? i + 1 : i;
      std::string digits;
      while (j < text.size()) {
        if (IsDigit(text[j])) {
          digits.push_back(text[j]);
          ++j;
        } else if (IsSeparator(text[j]) && j + 1 < text.size() &&
                   IsDigit(text[j + 1])) {
          ++j;
        } else {
          break;
        }
      }
      // A run glued to letters ("abc123", "123abc") is a code, not a number.
      const bool ends_word = j >= text.size() || !IsAlnum(text[j]);
      if (ends_word) {
        const std::string_view run(text.data() + i, j - i);
        if (digits.size() >= 9 && digits.size() <= 15) {
          if (auto phone = NormalizePhone(run, "memo"); phone.ok()) {
            AddUnique(&out, Identifier{IdentifierKind::kPhone, "", *phone});
          }
        }
        if (!plus_start && digits.size() >= 8 && digits.size() <= 19) {
          AddUnique(&out, Identifier{IdentifierKind::kBankAccount,
                                     std::string(kAnyBank), digits});
        }
      }
      i = j;
      continue;
    }
    ++i;
  }
  return out;
}

}  // namespace fraudgate::core
