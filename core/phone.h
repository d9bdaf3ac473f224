// Phone number normalization (DESIGN §2): any accepted input form to E.164.
// Thread safety: all functions are thread-safe.
#ifndef FRAUDGATE_CORE_PHONE_H_
#define FRAUDGATE_CORE_PHONE_H_

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace fraudgate::core {

// Normalizes a phone number to E.164 ("+84329123456"). Accepts national
// (`0329 123 456`), international (`+84 32 912 3456`, `0084...`, `84329123456`)
// forms with spaces, dots, dashes and parentheses, full-width digits, and
// foreign numbers written with `+` or `00`. Pre-2018 11-digit Vietnamese mobile
// numbers (0162... -> 032...) are mapped to their current form first.
// Accepts numbers libphonenumber considers possible for their region (region
// VN by default). InvalidArgument "<field>: ..." otherwise (letters, too short,
// too long, empty).
absl::StatusOr<std::string> NormalizePhone(std::string_view raw,
                                           std::string_view field);

// The current 2-digit mobile prefix for a pre-2018 3-digit prefix ("162" ->
// "32"); nullopt when `old_prefix` is not one of them.
std::optional<std::string_view> ModernMobilePrefix(std::string_view old_prefix);

}  // namespace fraudgate::core

#endif  // FRAUDGATE_CORE_PHONE_H_
