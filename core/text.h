// Small text helpers shared by the normalizers.
#ifndef FRAUDGATE_CORE_TEXT_H_
#define FRAUDGATE_CORE_TEXT_H_

#include <string>
#include <string_view>
#include <type_traits>

#include "absl/strings/str_cat.h"

namespace fraudgate::core {

namespace text_internal {
template <typename T>
decltype(auto) ToAlphaNumArg(const T& arg) {
  if constexpr (std::is_same_v<T, std::string_view>) {
    return absl::string_view(arg.data(), arg.size());
  } else {
    return (arg);
  }
}
}  // namespace text_internal

// absl::StrCat that also takes std::string_view: Debian's Abseil 20220623
// does not alias absl::string_view to std::string_view.
template <typename... Args>
std::string StrCat(const Args&... args) {
  return absl::StrCat(text_internal::ToAlphaNumArg(args)...);
}

// Maps full-width ASCII variants (U+FF01..U+FF5E) to ASCII and the ideographic
// space U+3000 to ' '; trims ASCII whitespace at both ends. Other bytes pass
// through unchanged.
std::string FoldWidthAndTrim(std::string_view in);

// The form in which names (banks, e-wallet providers, chat platforms) are
// compared: full-width folded and trimmed, ASCII lower-cased, with spaces,
// dots, dashes and underscores removed; other bytes (UTF-8) kept as they are.
std::string FoldName(std::string_view name);

// ASCII upper-case / lower-case copies.
std::string AsciiUpper(std::string_view in);
std::string AsciiLower(std::string_view in);

// True when `text` is well-formed UTF-8 (no overlong forms, surrogates or
// code points above U+10FFFF).
bool IsValidUtf8(std::string_view text);

// True when `text` holds a character that is not shown as itself: an ASCII
// control character (U+0000..U+001F, DEL) or a C1 one (U+0080..U+009F), or a
// bidirectional formatting character (U+061C, U+200E, U+200F,
// U+202A..U+202E, U+2066..U+2069), which makes the text around it display
// reversed or out of order (a transfer id "FT" + U+202E + "1234" shows as
// "FT4321").
bool HasHiddenControl(std::string_view text);

// Appends `text` to `out` as a JSON string literal, quotes included: '"' and
// '\\' escaped, control characters as \uXXXX. When `text` is not valid UTF-8
// its non-ASCII bytes become '?', so the result is always valid JSON.
void AppendJsonString(std::string_view text, std::string& out);

}  // namespace fraudgate::core

#endif  // FRAUDGATE_CORE_TEXT_H_
