#include "service/validation.h"

#include "core/text.h"

namespace fraudgate::service {

absl::Status Invalid(std::string_view field, std::string_view what) {
  return absl::InvalidArgumentError(core::StrCat(field, ": ", what));
}

absl::Status CheckText(std::string_view field, std::string_view value,
                       size_t max_bytes, bool required) {
  if (required && value.empty()) return Invalid(field, "required");
  if (value.size() > max_bytes) {
    return Invalid(field, core::StrCat("longer than ", max_bytes, " bytes"));
  }
  if (core::HasHiddenControl(value)) {
    return Invalid(field,
                   "contains control or bidirectional formatting characters");
  }
  return absl::OkStatus();
}

}  // namespace fraudgate::service
