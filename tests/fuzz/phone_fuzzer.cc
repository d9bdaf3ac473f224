// Fuzz target for core::NormalizePhone on arbitrary text.
// Invariants: it never crashes; an error is INVALID_ARGUMENT whose message
// starts with the field name; a result is E.164 ('+' then 1..15 digits, no
// leading zero) and normalizing it again gives it back (idempotence).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "core/phone.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view raw(reinterpret_cast<const char*>(data), size);
  const auto phone = fraudgate::core::NormalizePhone(raw, "phone");
  if (!phone.ok()) {
    FUZZ_CHECK(phone.status().code() == absl::StatusCode::kInvalidArgument)
        << phone.status();
    FUZZ_CHECK(absl::StartsWith(phone.status().message(), "phone: "))
        << phone.status();
    return 0;
  }
  const std::string& e164 = *phone;
  FUZZ_CHECK(e164.size() >= 2 && e164.size() <= 16) << e164;
  FUZZ_CHECK(e164[0] == '+' && e164[1] != '0') << e164;
  FUZZ_CHECK(e164.find_first_not_of("0123456789", 1) == std::string::npos)
      << e164;
  const auto again = fraudgate::core::NormalizePhone(e164, "phone");
  FUZZ_CHECK(again.ok()) << e164 << " -> " << again.status();
  FUZZ_CHECK(*again == e164) << e164 << " -> " << *again;
  return 0;
}
