// Fuzz target for core::ExtractMemoIdentifiers on arbitrary bytes (invalid
// UTF-8, memos far over kMaxMemoChars included).
// Invariants: it never crashes; it returns at most kMaxMemoTokens distinct
// identifiers, each a PHONE, a BANK_ACCOUNT at any bank ("*") or a TELEGRAM
// handle, each already canonical (normalizing it again gives it back); only
// the first kMaxMemoChars code points are scanned, so appending text to a
// memo that long changes nothing.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/identifier.h"
#include "core/memo.h"
#include "core/normalize.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using fraudgate::core::Identifier;
using fraudgate::core::IdentifierKind;

void CheckCanonical(const Identifier& id) {
  switch (id.kind) {
    case IdentifierKind::kPhone:
      FUZZ_CHECK(id.issuer.empty()) << id.ToString();
      break;
    case IdentifierKind::kBankAccount:
      FUZZ_CHECK(id.issuer == fraudgate::core::kAnyBank) << id.ToString();
      break;
    case IdentifierKind::kChatHandle:
      FUZZ_CHECK(id.issuer == "TELEGRAM") << id.ToString();
      break;
    default:
      FUZZ_CHECK(false) << "unexpected kind " << id.ToString();
  }
  const auto again = fraudgate::core::NormalizeIdentifier(
      id.kind, id.issuer, id.value, {"issuer", "value"});
  FUZZ_CHECK(again.ok()) << id.ToString() << " -> " << again.status();
  FUZZ_CHECK(*again == id) << id.ToString() << " -> " << again->ToString();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view memo(reinterpret_cast<const char*>(data), size);
  const std::vector<Identifier> ids =
      fraudgate::core::ExtractMemoIdentifiers(memo);
  FUZZ_CHECK(ids.size() <= fraudgate::core::kMaxMemoTokens) << ids.size();
  for (size_t i = 0; i < ids.size(); ++i) {
    CheckCanonical(ids[i]);
    FUZZ_CHECK(std::find(ids.begin(), ids.begin() + i, ids[i]) ==
               ids.begin() + i)
        << "duplicate " << ids[i].ToString();
  }
  if (fraudgate::core::Utf8Length(memo) > fraudgate::core::kMaxMemoChars) {
    const std::string longer = std::string(memo) + " 0329123456 @bounded";
    FUZZ_CHECK(fraudgate::core::ExtractMemoIdentifiers(longer) == ids)
        << "text past the scan limit changed the result";
  }
  return 0;
}
