// Request checks shared by the services. Every error is INVALID_ARGUMENT
// "<field>: <what>", so callers and Rejection entries can name the field.
#ifndef FRAUDGATE_SERVICE_VALIDATION_H_
#define FRAUDGATE_SERVICE_VALIDATION_H_

#include <cstddef>
#include <string_view>

#include "absl/status/status.h"

namespace fraudgate::service {

// INVALID_ARGUMENT "<field>: <what>".
absl::Status Invalid(std::string_view field, std::string_view what);

// A free-text field: at most `max_bytes`, no control or bidirectional
// formatting characters (core::HasHiddenControl), and not empty when
// `required`.
absl::Status CheckText(std::string_view field, std::string_view value,
                       size_t max_bytes, bool required = false);

}  // namespace fraudgate::service

#endif  // FRAUDGATE_SERVICE_VALIDATION_H_
