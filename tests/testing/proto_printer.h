// gtest prints fraudgate.v1 messages as one-line text. Declaring PrintTo for
// them also keeps gtest's generic protobuf printer, which trips a GCC 12
// -Wrestrict false positive, out of the build. Include it in every test that
// compares or prints fraudgate.v1 messages.
#ifndef FRAUDGATE_TESTS_TESTING_PROTO_PRINTER_H_
#define FRAUDGATE_TESTS_TESTING_PROTO_PRINTER_H_

#include <ostream>
#include <type_traits>

#include "google/protobuf/message.h"

namespace fraudgate::v1 {

template <typename T, typename = std::enable_if_t<
                          std::is_base_of_v<google::protobuf::Message, T>>>
void PrintTo(const T& message, std::ostream* os) {
  *os << message.ShortDebugString();
}

}  // namespace fraudgate::v1

#endif  // FRAUDGATE_TESTS_TESTING_PROTO_PRINTER_H_
