// The warning shown to the paying customer (DESIGN §4): Vietnamese first, then
// English, naming the category of the police reports and what to do.
// Thread safety: thread-safe.
#ifndef FRAUDGATE_CORE_CUSTOMER_MESSAGE_H_
#define FRAUDGATE_CORE_CUSTOMER_MESSAGE_H_

#include <string>

#include "core/scoring.h"

namespace fraudgate::core {

// Empty for ALLOW; otherwise "<Vietnamese> / <English>", one text per
// category and decision.
std::string CustomerMessage(Decision decision, Category category);

}  // namespace fraudgate::core

#endif  // FRAUDGATE_CORE_CUSTOMER_MESSAGE_H_
