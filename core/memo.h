// Extraction of identifiers from free-text transfer memos (DESIGN §2):
// extortionists often put a phone number, another account or a Telegram
// handle into the memo ("chuyen gap cho 0162 912 3456").
//
// Thread safety: thread-safe.
#ifndef FRAUDGATE_CORE_MEMO_H_
#define FRAUDGATE_CORE_MEMO_H_

#include <string_view>
#include <vector>

#include "core/identifier.h"

namespace fraudgate::core {

// Longest memo accepted, in Unicode code points; longer ones are invalid
// input, not truncated.
inline constexpr size_t kMaxMemoChars = 512;
// Most identifiers extracted from one memo.
inline constexpr size_t kMaxMemoTokens = 8;

// Counts UTF-8 code points (continuation bytes are not counted).
size_t Utf8Length(std::string_view text);

// Extracts up to kMaxMemoTokens distinct canonical identifiers, in order of
// appearance:
// - digit runs (digits joined by single spaces, dots or dashes, optionally
//   led by '+') that normalize as a phone number -> PHONE;
// - digit runs of 8..19 digits -> BANK_ACCOUNT with issuer "*";
//   (one run can yield both);
// - "@name" (5..32 of [A-Za-z0-9_]) -> CHAT_HANDLE on TELEGRAM.
// Scans at most the first kMaxMemoChars code points. Never fails: tokens that
// do not normalize are skipped.
std::vector<Identifier> ExtractMemoIdentifiers(std::string_view memo);

}  // namespace fraudgate::core

#endif  // FRAUDGATE_CORE_MEMO_H_
